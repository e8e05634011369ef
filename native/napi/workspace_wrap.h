#pragma once
// The JS Workspace object (an ObjectWrap). Other binding files use
// unwrapWorkspace() to reach the native workspace behind a JS argument.
#include <napi.h>

#include <memory>

#include "../core/workspace.h"

namespace hogwild::napi {

// The native side of a JS workspace. Runs hold it, so a workspace outlives its
// JS wrapper (GC, dispose) until the plans running on it end; a child holds
// its parent, whose blobs it reads and writes.
struct WorkspaceHandle {
  explicit WorkspaceHandle(std::shared_ptr<WorkspaceHandle> parentHandle = nullptr)
      : parent(std::move(parentHandle)),
        treeRuns(parent ? parent->treeRuns : std::make_shared<int>(0)),
        ws(parent ? &parent->ws : nullptr) {}
  const std::shared_ptr<WorkspaceHandle> parent;
  // Plans in flight anywhere in this workspace's tree (root and children);
  // touched on the JS thread only. Blob reads and writes from JS wait for 0.
  const std::shared_ptr<int> treeRuns;
  Workspace ws;
};

// Throws a JS TypeError (code HOGWILD_INVALID_ARGUMENT) when `value` is not a
// live Workspace, and HOGWILD_DISPOSED when it was disposed.
Workspace& unwrapWorkspace(const Napi::Value& value, const char* argName);
std::shared_ptr<WorkspaceHandle> unwrapWorkspaceHandle(const Napi::Value& value, const char* argName);

// Defines the Workspace class for this environment (stored in AddonData).
Napi::Function defineWorkspaceClass(Napi::Env env);
// A new JS Workspace wrapping `handle` (a fresh root when null).
Napi::Object newWorkspace(Napi::Env env, std::shared_ptr<WorkspaceHandle> handle = nullptr);

}  // namespace hogwild::napi
