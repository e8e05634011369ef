#pragma once
// The JS Workspace object (an ObjectWrap). Other binding files use
// unwrapWorkspace() to reach the native workspace behind a JS argument.
#include <napi.h>

#include "../core/workspace.h"

namespace hogwild::napi {

// Throws a JS TypeError (code HOGWILD_INVALID_ARGUMENT) when `value` is not a
// live Workspace, and HOGWILD_DISPOSED when it was disposed.
Workspace& unwrapWorkspace(const Napi::Value& value, const char* argName);

}  // namespace hogwild::napi
