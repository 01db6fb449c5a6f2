import UnsaidCore
