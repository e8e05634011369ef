#pragma once
// Converting native errors to JS errors with a stable `code` property. The TS
// facade rethrows them as HogwildError subclasses with the JS caller's stack.
#include <napi.h>

#include <exception>

#include "../core/error.h"

namespace hogwild::napi {

inline Napi::Error jsError(Napi::Env env, const char* code, const std::string& message) {
  Napi::Error e = Napi::Error::New(env, message);
  e.Set("code", Napi::String::New(env, code));
  return e;
}

// Converts whatever is in flight (call inside a catch block).
inline Napi::Error currentJsError(Napi::Env env) {
  try {
    throw;
  } catch (const Error& e) {
    return jsError(env, e.code(), e.what());
  } catch (const Napi::Error& e) {
    return e;
  } catch (const std::bad_alloc&) {
    return jsError(env, codes::kOutOfMemory, "Out of memory");
  } catch (const std::exception& e) {
    return jsError(env, codes::kInternal, e.what());
  } catch (...) {
    return jsError(env, codes::kInternal, "Unknown native error");
  }
}

// Runs `body`, turning any C++ exception into a thrown JS error.
template <typename F> auto guard(Napi::Env env, F&& body) -> decltype(body()) {
  try {
    return body();
  } catch (...) {
    throw currentJsError(env);
  }
}

}  // namespace hogwild::napi
