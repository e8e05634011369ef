#pragma once
// Between workspaces and checkpoint files.
//  - captureBlobs (JS thread, at the epoch barrier): one SaveItem per blob.
//    Tensors are shared, not copied (the writer streams from blob memory);
//    object blobs are encoded with BlobObject::serialize; empty blobs are
//    kind "empty".
//  - applyBlobs: decodes every staged object into a fresh object of its kind
//    and allocates any fresh memory first, and only when all succeeded copies
//    tensors left in the mapping into the workspace's own memory and swaps
//    the rest in. A bad value leaves the workspace exactly as it was.
#include <string>
#include <vector>

#include "../core/workspace.h"
#include "reader.h"
#include "writer.h"

namespace hogwild::ckpt {

// Throws HOGWILD_MISSING_BLOB for a missing name and HOGWILD_BLOB_KIND for an
// object that cannot be serialized.
std::vector<SaveItem> captureBlobs(const Workspace& ws, const std::vector<std::string>& names);

// Throws CorruptError(kind) when a kind is unknown or a value does not decode.
// Blobs are created in `ws` (Workspace::createBlob: an existing blob anywhere
// in the parent chain is reused).
void applyBlobs(Workspace& ws, std::vector<StagedBlob>&& staged);

// For StageOptions::inPlace: dtype and shape of the tensors of `ws` among
// `names` (every blob when `all`) whose memory is their own.
std::map<std::string, std::pair<DType, Shape>> ownedTensorShapes(const Workspace& ws, const std::vector<std::string>& names,
                                                                bool all);

}  // namespace hogwild::ckpt
