// Device discovery, per-device streams and cuBLAS handles, host<->device copies.
#include "tensor/cuda/runtime.h"

#include <cublas_v2.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

#include "tensor/cuda/check.h"
#include "tensor/cuda/cuda_backend.h"
#include "tensor/settings.h"

namespace dn::cuda {

namespace {

struct Registry {
  std::mutex mutex;
  std::vector<std::unique_ptr<DeviceContext>> contexts;  // index = device; null until used
};

Registry& registry() {
  static Registry* r = new Registry;  // leaked on purpose: see runtime.h
  return *r;
}

DeviceContext* create_context(int device, const char* op) {
  auto ctx = std::make_unique<DeviceContext>();
  ctx->device = device;
  DN_CUDA_CHECK(op, cudaSetDevice(device));
  DN_CUDA_CHECK(op, cudaStreamCreateWithFlags(&ctx->stream, cudaStreamNonBlocking));
  DN_CUDA_CHECK(op, cudaDeviceGetAttribute(&ctx->sm_count, cudaDevAttrMultiProcessorCount, device));
  int shared = 0;
  DN_CUDA_CHECK(op, cudaDeviceGetAttribute(&shared, cudaDevAttrMaxSharedMemoryPerBlock, device));
  ctx->shared_per_block = size_t(shared);
  cublasHandle_t handle = nullptr;
  cublasStatus_t st = cublasCreate(&handle);
  DN_CHECK(st == CUBLAS_STATUS_SUCCESS, op, ": cublasCreate failed on cuda:", device, ": ",
           cublasGetStatusString(st));
  st = cublasSetStream(handle, ctx->stream);
  DN_CHECK(st == CUBLAS_STATUS_SUCCESS, op, ": cublasSetStream failed: ", cublasGetStatusString(st));
  ctx->cublas = handle;
  return ctx.release();
}

// The device made current last on this thread (-1: none yet), to skip redundant cudaSetDevice.
thread_local int t_current_device = -1;

}  // namespace

bool built_with_cuda() { return true; }

int device_count() {
  static const int count = [] {
    int n = 0;
    cudaError_t st = cudaGetDeviceCount(&n);
    if (st != cudaSuccess) {
      (void)cudaGetLastError();  // "driver version is insufficient", "no device": no device
      return 0;
    }
    return n;
  }();
  return count;
}

const DeviceContext& context(int device, const char* op) {
  const int count = device_count();
  DN_CHECK(device >= 0 && device < count, op, ": cuda:", device, " does not exist (",
           count, " CUDA device", count == 1 ? "" : "s", " found)");
  DeviceContext* ctx = nullptr;
  {
    Registry& r = registry();
    std::lock_guard<std::mutex> lock(r.mutex);
    if (r.contexts.size() < size_t(count)) r.contexts.resize(count);
    if (!r.contexts[device]) r.contexts[device].reset(create_context(device, op));
    ctx = r.contexts[device].get();
  }
  if (t_current_device != device) {
    DN_CUDA_CHECK(op, cudaSetDevice(device));
    t_current_device = device;
  }
  return *ctx;
}

const DeviceContext& context_of(const Tensor& t, const char* op) {
  DN_CHECK(t.defined(), op, ": an input tensor is undefined");
  DN_CHECK(t.device().is_cuda(), op, ": CUDA kernel called with ", t.describe());
  return context(t.device().index, op);
}

bool sync_after_each_kernel() {
  return settings::cuda_sync();
}

void check_launch(const char* op) {
  check(cudaGetLastError(), op, "kernel launch");
  if (sync_after_each_kernel()) check(cudaDeviceSynchronize(), op, "kernel (DN_CUDA_SYNC)");
}

unsigned grid_for(const DeviceContext& ctx, int64_t n, int threads) {
  const int64_t needed = (n + threads - 1) / threads;
  const int64_t enough = int64_t(ctx.sm_count) * (2048 / threads) * 4;
  return unsigned(std::max<int64_t>(1, std::min(needed, enough)));
}

std::string device_description(int device) {
  const DeviceContext& ctx = context(device, "device_description");
  cudaDeviceProp prop{};
  DN_CUDA_CHECK("device_description", cudaGetDeviceProperties(&prop, device));
  return str(prop.name, " (sm_", prop.major, prop.minor, ", ", ctx.sm_count, " SMs, ",
             double(prop.totalGlobalMem) / double(1ull << 30), " GiB)");
}

void copy_bytes(void* dst, Device dst_device, const void* src, Device src_device, size_t nbytes) {
  const char* op = "copy to device";
  if (nbytes == 0) return;
  if (dst_device.is_cpu() && src_device.is_cpu()) {
    std::memcpy(dst, src, nbytes);
    return;
  }
  if (src_device.is_cpu()) {  // host -> device
    const DeviceContext& ctx = context(dst_device.index, op);
    DN_CUDA_CHECK(op, cudaMemcpyAsync(dst, src, nbytes, cudaMemcpyHostToDevice, ctx.stream));
    // The host buffer may be freed as soon as we return: wait (pageable memory would make
    // the call wait for most of the copy anyway).
    DN_CUDA_CHECK(op, cudaStreamSynchronize(ctx.stream));
    return;
  }
  op = "copy from device";
  const DeviceContext& sctx = context(src_device.index, op);
  if (dst_device.is_cpu()) {  // device -> host: wait for the kernels that write src
    DN_CUDA_CHECK(op, cudaMemcpyAsync(dst, src, nbytes, cudaMemcpyDeviceToHost, sctx.stream));
    DN_CUDA_CHECK(op, cudaStreamSynchronize(sctx.stream));
    return;
  }
  if (dst_device == src_device) {  // ordered on the device's stream like a kernel
    DN_CUDA_CHECK(op, cudaMemcpyAsync(dst, src, nbytes, cudaMemcpyDeviceToDevice, sctx.stream));
    return;
  }
  // Between two devices: let src's stream finish, copy, and wait for the copy.
  op = "copy between devices";
  DN_CUDA_CHECK(op, cudaStreamSynchronize(sctx.stream));
  const DeviceContext& dctx = context(dst_device.index, op);
  DN_CUDA_CHECK(op, cudaMemcpyPeerAsync(dst, dst_device.index, src, src_device.index, nbytes,
                                        dctx.stream));
  DN_CUDA_CHECK(op, cudaStreamSynchronize(dctx.stream));
}

void synchronize() {
  std::vector<DeviceContext*> live;
  {
    Registry& r = registry();
    std::lock_guard<std::mutex> lock(r.mutex);
    for (auto& c : r.contexts)
      if (c) live.push_back(c.get());
  }
  for (DeviceContext* c : live) {
    context(c->device, "synchronize");
    DN_CUDA_CHECK("synchronize", cudaStreamSynchronize(c->stream));
  }
}

}  // namespace dn::cuda
