// Typed wrappers around libcurl for Swift.
//
// Swift cannot call C variadic functions such as curl_easy_setopt, so every option Unsaid uses
// gets a small function with a concrete signature. Nothing outside the UnsaidTarget module
// imports this header.
#ifndef UNSAID_CCURL_H
#define UNSAID_CCURL_H

#include <curl/curl.h>
#include <stddef.h>

typedef size_t (*ccurl_data_callback)(char *ptr, size_t size, size_t nmemb, void *userdata);

CURLcode ccurl_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode ccurl_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode ccurl_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode ccurl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value);
CURLcode ccurl_setopt_offset(CURL *handle, CURLoption option, curl_off_t value);
CURLcode ccurl_setopt_write_callback(CURL *handle, ccurl_data_callback callback);
CURLcode ccurl_setopt_header_callback(CURL *handle, ccurl_data_callback callback);

CURLcode ccurl_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLcode ccurl_getinfo_pointer(CURL *handle, CURLINFO info, void **value);
CURLcode ccurl_getinfo_double(CURL *handle, CURLINFO info, double *value);

CURLMcode ccurl_multi_setopt_long(CURLM *multi, CURLMoption option, long value);

/// `curl_global_init(CURL_GLOBAL_DEFAULT)`: the flag is a macro built from other macros, which
/// Swift does not import reliably.
CURLcode ccurl_global_init_default(void);

/// The size libcurl requires of a `CURLOPT_ERRORBUFFER` buffer.
size_t ccurl_error_size(void);

/// The `CURLMsg` union is awkward from Swift; this unpacks a finished-transfer message.
/// Returns 1 when `msg` reports a finished transfer (filling `handle` and `result`), 0 otherwise.
int ccurl_multi_message_done(CURLMsg *msg, CURL **handle, CURLcode *result);

#endif
