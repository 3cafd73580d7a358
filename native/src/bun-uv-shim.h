/*
 * libuv on pthreads for Bun (see bun-uv-shim.cc): the one JS entry point, setUvBridge(buffer),
 * which installs the table exported by uvbridge.node. Must run before any client is created.
 */
#ifndef SINKER_BUN_UV_SHIM_H_
#define SINKER_BUN_UV_SHIM_H_

#include <nan.h>

namespace sinker {

NAN_METHOD(SetUvBridge);

}  // namespace sinker

#endif  // SINKER_BUN_UV_SHIM_H_
