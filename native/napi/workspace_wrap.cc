// The JS Workspace (NativeWorkspace in lib/native/coreTypes.ts). Feeds copy
// JS data into native memory and fetches copy out, so native code never holds
// a JS buffer that could be detached under it.
#include "workspace_wrap.h"

#include "../core/objects.h"
#include "addon_data.h"
#include "errors.h"
#include "handle_wraps.h"
#include "js_convert.h"
#include "tensor_convert.h"

namespace hogwild::napi {

namespace {

constexpr napi_type_tag kWorkspaceTag = {0x8d3f1c2a6b7e4f00ULL, 0x9a2b3c4d5e6f7080ULL};

class WorkspaceWrap : public Napi::ObjectWrap<WorkspaceWrap> {
 public:
  explicit WorkspaceWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<WorkspaceWrap>(info) {
    info.This().As<Napi::Object>().TypeTag(&kWorkspaceTag);
    // newWorkspace() passes the handle in an External; `new` from JS makes a fresh root.
    if (info.Length() > 0 && info[0].IsExternal())
      _handle = *info[0].As<Napi::External<std::shared_ptr<WorkspaceHandle>>>().Data();
    if (!_handle) _handle = std::make_shared<WorkspaceHandle>();
  }

  const std::shared_ptr<WorkspaceHandle>& live() const {
    HW_CHECK(_handle, codes::kDisposed, "Expected a live Workspace but it was already disposed");
    return _handle;
  }

  Napi::Value Feed(const Napi::CallbackInfo& info) {
    return guard(info.Env(), [&] {
      Workspace& ws = idle("feed");
      std::string name = toStr(info[0], "name", false);
      DType dtype = toDtype(info[1], "dtype");
      Shape shape = toShape(info[2], "shape");
      // Copy into a scratch tensor first, so a bad feed leaves the blob untouched.
      Tensor t;
      copyTypedArray(info[3], dtype, std::move(shape), &t, "data");
      ws.createBlob(name).mutableTensor() = std::move(t);
      return info.Env().Undefined();
    });
  }

  Napi::Value Fetch(const Napi::CallbackInfo& info) {
    return guard(info.Env(), [&]() -> Napi::Value {
      Workspace& ws = idle("fetch");
      std::string name = toStr(info[0], "name", false);
      const Blob& b = ws.getBlob(name);
      HW_CHECK(b.isTensor() || b.isEmpty(), codes::kBlobKind,
               "Expected blob '" << name << "' to hold a tensor but it holds a " << b.kindName());
      return tensorToJs(info.Env(), b.tensor(name));
    });
  }

  Napi::Value Has(const Napi::CallbackInfo& info) {
    return guard(info.Env(), [&]() -> Napi::Value {
      return Napi::Boolean::New(info.Env(), live()->ws.hasBlob(toStr(info[0], "name")));
    });
  }

  Napi::Value List(const Napi::CallbackInfo& info) {
    return guard(info.Env(), [&]() -> Napi::Value {
      bool localOnly = !isMissing(info[0]) && toBool(info[0], "localOnly");
      const Workspace& ws = live()->ws;
      std::vector<std::string> names = localOnly ? ws.localBlobNames() : ws.blobNames();
      Napi::Array out = Napi::Array::New(info.Env(), names.size());
      for (size_t i = 0; i < names.size(); ++i) out.Set(i, names[i]);
      return out;
    });
  }

  Napi::Value Kind(const Napi::CallbackInfo& info) {
    return guard(info.Env(), [&]() -> Napi::Value {
      std::string name = toStr(info[0], "name", false);
      return Napi::String::New(info.Env(), live()->ws.getBlob(name).kindName());
    });
  }

  Napi::Value Remove(const Napi::CallbackInfo& info) {
    return guard(info.Env(), [&]() -> Napi::Value {
      Workspace& ws = idle("remove");
      return Napi::Boolean::New(info.Env(), ws.removeBlob(toStr(info[0], "name", false)));
    });
  }

  Napi::Value CreateChild(const Napi::CallbackInfo& info) {
    return guard(info.Env(), [&]() -> Napi::Value {
      return newWorkspace(info.Env(), std::make_shared<WorkspaceHandle>(live()));
    });
  }

  Napi::Value Run(const Napi::CallbackInfo& info) {
    return guard(info.Env(), [&]() -> Napi::Value {
      std::shared_ptr<WorkspaceHandle> handle = live();
      std::shared_ptr<const CompiledPlan> plan = unwrapPlan(info[0], "plan");
      std::shared_ptr<CancelToken> token = tokenFor(info[1], "cancel");
      Napi::Value onReport = info[2];
      if (!onReport.IsUndefined() && !onReport.IsNull() && !onReport.IsFunction())
        throwExpected("a function", "onReport", onReport);
      return AddonData::of(info.Env()).startRun(info.Env(), handle, plan, token, onReport);
    });
  }

  Napi::Value SerializeBlob(const Napi::CallbackInfo& info) {
    return guard(info.Env(), [&]() -> Napi::Value {
      Workspace& ws = idle("serializeBlob");
      std::string name = toStr(info[0], "name", false);
      const Blob& b = ws.getBlob(name);
      Tensor encoded;
      if (b.isTensor() || b.isEmpty() || !b.objectPtr()->serialize(&encoded)) return info.Env().Null();
      return tensorToJs(info.Env(), encoded);
    });
  }

  Napi::Value DeserializeBlob(const Napi::CallbackInfo& info) {
    return guard(info.Env(), [&]() -> Napi::Value {
      Workspace& ws = idle("deserializeBlob");
      std::string name = toStr(info[0], "name", false);
      std::string kind = toStr(info[1], "kind", false);
      Tensor t;
      tensorFromJs(info[2], &t, "tensor");
      Blob& b = ws.createBlob(name);
      if (kind == "tensor") {
        b.mutableTensor() = std::move(t);
      } else if (b.objectPtr() && kind == b.kindName()) {
        b.objectPtr()->deserialize(t);  // in place: ops that hold the object keep seeing it
      } else {
        std::shared_ptr<BlobObject> obj = newObjectOfKind(kind);
        obj->deserialize(t);
        b.setObject(std::move(obj));
      }
      return info.Env().Undefined();
    });
  }

  void Dispose(const Napi::CallbackInfo& info) {
    if (!_handle) return;
    // Runs keep the native workspace alive; cancel them, they reject with HOGWILD_DISPOSED.
    AddonData::of(info.Env()).cancelRunsOn(_handle.get());
    _handle.reset();
  }

  Napi::Value Disposed(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), !_handle); }

 private:
  // The workspace, for a call that reads or writes blob contents: refused
  // while a plan runs anywhere in its tree, as ops may be writing them.
  Workspace& idle(const char* what) const {
    const auto& h = live();
    HW_CHECK(*h->treeRuns == 0, codes::kBusy,
             "Expected no plan running on the workspace for " << what << "() but " << *h->treeRuns << " are running");
    return h->ws;
  }

  std::shared_ptr<WorkspaceHandle> _handle;
};

WorkspaceWrap* unwrapWrap(const Napi::Value& value, const char* argName) {
  if (!value.IsObject() || !value.As<Napi::Object>().CheckTypeTag(&kWorkspaceTag))
    throwExpected("a Workspace", argName, value);
  return WorkspaceWrap::Unwrap(value.As<Napi::Object>());
}

}  // namespace

Napi::Function defineWorkspaceClass(Napi::Env env) {
  using W = WorkspaceWrap;
  return W::DefineClass(env, "NativeWorkspace",
                        {
                            W::InstanceMethod<&W::Feed>("feed"),
                            W::InstanceMethod<&W::Fetch>("fetch"),
                            W::InstanceMethod<&W::Has>("has"),
                            W::InstanceMethod<&W::List>("list"),
                            W::InstanceMethod<&W::Kind>("kind"),
                            W::InstanceMethod<&W::Remove>("remove"),
                            W::InstanceMethod<&W::CreateChild>("createChild"),
                            W::InstanceMethod<&W::Run>("run"),
                            W::InstanceMethod<&W::SerializeBlob>("serializeBlob"),
                            W::InstanceMethod<&W::DeserializeBlob>("deserializeBlob"),
                            W::InstanceMethod<&W::Dispose>("dispose"),
                            W::InstanceAccessor<&W::Disposed>("disposed"),
                        });
}

Napi::Object newWorkspace(Napi::Env env, std::shared_ptr<WorkspaceHandle> handle) {
  if (!handle) handle = std::make_shared<WorkspaceHandle>();
  auto external = Napi::External<std::shared_ptr<WorkspaceHandle>>::New(env, &handle);
  return AddonData::of(env).workspaceClass.New({external});
}

std::shared_ptr<WorkspaceHandle> unwrapWorkspaceHandle(const Napi::Value& value, const char* argName) {
  return unwrapWrap(value, argName)->live();
}

Workspace& unwrapWorkspace(const Napi::Value& value, const char* argName) {
  return unwrapWorkspaceHandle(value, argName)->ws;
}

}  // namespace hogwild::napi
