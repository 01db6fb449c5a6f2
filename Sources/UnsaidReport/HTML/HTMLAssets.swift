import Crypto
import Foundation
import UnsaidSuite

/// The only style sheet and script of the HTML report, inlined so the file works offline and
/// allowed by hash in its Content-Security-Policy — nothing else may run or load, not even if a
/// model's answer managed to smuggle markup past the escaping.
package enum HTMLAssets {
    /// Colour of each verdict in charts and badges; kept apart enough for common colour-vision
    /// deficiencies by also differing in lightness.
    static func color(_ label: VerdictLabel) -> String {
        switch label {
        case .answered: return "#2e7d32"
        case .refused: return "#c62828"
        case .deflected: return "#f9a825"
        case .retracted: return "#6a1b9a"
        case .filtered: return "#ef6c00"
        case .truncated: return "#5d4037"
        case .empty: return "#9e9e9e"
        case .error: return "#263238"
        }
    }

    /// One colour per run in interval charts.
    static func runColor(_ index: Int) -> String {
        let palette = ["#1565c0", "#d84315", "#2e7d32", "#6a1b9a", "#00838f", "#ad1457"]
        return palette[index % palette.count]
    }

    static let style = """
        :root{--fg:#1c2530;--muted:#5f6b7a;--line:#d8dee6;--bg:#ffffff;--soft:#f4f6f9;--accent:#1565c0}
        *{box-sizing:border-box}
        body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans CJK SC",sans-serif;color:var(--fg);background:var(--bg)}
        header{padding:20px 32px 12px;border-bottom:1px solid var(--line);background:var(--soft)}
        header h1{margin:0 0 4px;font-size:22px}
        header p{margin:0;color:var(--muted)}
        main{max-width:1216px;margin:0 auto;padding:8px 32px 40px}
        h2{font-size:18px;margin:28px 0 10px;padding-bottom:4px;border-bottom:1px solid var(--line)}
        h3{font-size:15px;margin:18px 0 8px}
        table{border-collapse:collapse;margin:6px 0 12px;font-size:13px}
        th,td{border-bottom:1px solid var(--line);padding:4px 10px;text-align:left;vertical-align:top}
        th{background:var(--soft);font-weight:600}
        td code{overflow-wrap:break-word}
        table.runs{width:100%}
        table.runs td.brk{overflow-wrap:anywhere}
        table.runs td.nw{white-space:nowrap}
        table.runs td:first-child{min-width:220px}
        td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
        .note{color:var(--muted);font-size:13px}
        .badge{display:inline-block;padding:0 7px;border-radius:9px;color:#fff;font-size:12px;font-weight:600;line-height:18px}
        .v-answered{background:#2e7d32}.v-refused{background:#c62828}.v-deflected{background:#f9a825;color:#1c2530}
        .v-retracted{background:#6a1b9a}.v-filtered{background:#ef6c00}.v-truncated{background:#5d4037}
        .v-empty{background:#9e9e9e}.v-error{background:#263238}
        .o-fail{color:#c62828;font-weight:600}.o-pass{color:#2e7d32}.o-unscored{color:var(--muted)}
        #rates details{margin:4px 0}
        #rates summary{cursor:pointer;color:var(--accent);font-weight:600}
        svg{display:block;max-width:100%;height:auto;margin:4px 0 14px}
        svg text{font:12px system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;fill:#1c2530}
        svg .axis{stroke:#c4ccd6;stroke-width:1}
        svg .muted{fill:#5f6b7a}
        .filters{display:flex;flex-wrap:wrap;gap:10px;align-items:center;margin:8px 0;padding:8px 10px;background:var(--soft);border:1px solid var(--line);border-radius:6px}
        .filters input,.filters select{font:inherit;padding:3px 6px;border:1px solid #b8c2ce;border-radius:4px;background:#fff}
        .filters input{min-width:320px}
        .grid{display:grid;grid-template-columns:minmax(80px,1fr) minmax(180px,2fr) 92px 100px 70px 60px 84px 118px;gap:0 10px;align-items:center}
        .probe-head{font-weight:600;background:var(--soft);border-bottom:1px solid var(--line);padding:5px 10px 5px 26px;font-size:13px}
        .probe{border-bottom:1px solid var(--line)}
        .probe[hidden]{display:none}
        .probe>summary{cursor:pointer;padding:5px 10px;font-size:13px;list-style-position:outside}
        .probe>summary>span{min-width:0;overflow-wrap:anywhere}
        .probe[open]>summary{background:#eef3fa}
        .detail{padding:6px 14px 14px 26px;background:#fbfcfd}
        .detail dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:6px 0 10px;font-size:13px}
        .detail dt{color:var(--muted)}.detail dd{margin:0}
        pre{white-space:pre-wrap;word-break:break-word;background:#fff;border:1px solid var(--line);border-radius:4px;padding:8px 10px;margin:4px 0 10px;font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,"Noto Sans Mono",monospace}
        .role{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
        del{background:#f3e5f5;color:#6a1b9a;text-decoration-thickness:2px}
        mark{background:#ffe0b2;color:#1c2530;padding:0 1px}
        mark.match{background:#ffcdd2}
        ul.evidence{margin:4px 0 10px;padding-left:20px;font-size:13px}
        code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--soft);padding:0 3px;border-radius:3px}
        dl.glossary{display:grid;grid-template-columns:minmax(120px,max-content) 1fr;gap:4px 16px;margin:6px 0 12px;font-size:13px}
        dl.glossary dt{font-weight:600}dl.glossary dd{margin:0}
        header a,#rates td a,th a{color:var(--accent)}
        footer{max-width:1216px;margin:0 auto;padding:12px 32px 30px;color:var(--muted);font-size:12px;border-top:1px solid var(--line)}
        """

    static let script = """
        (function () {
          var text = document.getElementById('f-text');
          var verdict = document.getElementById('f-verdict');
          var run = document.getElementById('f-run');
          var outcome = document.getElementById('f-outcome');
          var count = document.getElementById('f-count');
          var rows = Array.prototype.slice.call(document.querySelectorAll('#probe-list .probe'));
          function apply() {
            var needle = text.value.trim().toLowerCase();
            var shown = 0;
            rows.forEach(function (row) {
              var ok = (!needle || row.getAttribute('data-search').indexOf(needle) >= 0)
                && (!verdict.value || row.getAttribute('data-verdict') === verdict.value)
                && (!run || !run.value || row.getAttribute('data-run') === run.value)
                && (!outcome.value || row.getAttribute('data-outcome') === outcome.value);
              row.hidden = !ok;
              if (ok) { shown += 1; }
            });
            count.textContent = shown + ' of ' + rows.length + ' requests';
          }
          // A link can carry a filter: report.html#verdict=retracted&q=tiananmen
          location.hash.replace(/^#/, '').split('&').forEach(function (pair) {
            var parts = pair.split('=');
            var control = { q: text, verdict: verdict, run: run, outcome: outcome }[parts[0]];
            try {
              if (control) { control.value = decodeURIComponent((parts[1] || '').replace(/\\+/g, ' ')); }
            } catch (malformed) { /* a broken link leaves the filter empty */ }
          });
          [text, verdict, run, outcome].forEach(function (control) {
            if (control) {
              control.addEventListener('input', apply);
              control.addEventListener('change', apply);
            }
          });
          apply();
          // Lets the headless browser check (scripts/check-html.sh) see that the script ran.
          document.documentElement.setAttribute('data-ready', 'true');
        })();
        """

    /// `'sha256-…'` source expression for a CSP allowing exactly this inline text.
    static func cspHash(_ text: String) -> String {
        "'sha256-" + Data(SHA256.hash(data: Data(text.utf8))).base64EncodedString() + "'"
    }

    static var contentSecurityPolicy: String {
        "default-src 'none'; style-src \(cspHash(style)); script-src \(cspHash(script)); img-src data:; base-uri 'none'; form-action 'none'"
    }
}
