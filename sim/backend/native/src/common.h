// Helpers shared by the addon's translation units: the oneDNN engine, deterministic
// blocked reductions and the N-API argument glue.
#pragma once

#include <node_api.h>

#include <dnnl.hpp>

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace permanence {

using dnnl::memory;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;


inline dnnl::engine& engine() {
  static dnnl::engine e(dnnl::engine::kind::cpu, 0);
  return e;
}

// The geometry of one NHWC convolution with an HWIO filter (tfjs layouts).
struct Conv {
  memory::dim n, h, w, cin, kh, kw, cout, oh, ow, sh, sw, pt, pl, pb, pr, dh, dw;
  memory::desc src() const { return {{n, cin, h, w}, dt::f32, tag::nhwc}; }
  memory::desc dst() const { return {{n, cout, oh, ow}, dt::f32, tag::nhwc}; }
  memory::desc userWeights() const { return {{cout, cin, kh, kw}, dt::f32, tag::hwio}; }
  memory::desc anyWeights() const { return {{cout, cin, kh, kw}, dt::f32, tag::any}; }
  memory::dims strides() const { return {sh, sw}; }
  memory::dims dilates() const { return {dh - 1, dw - 1}; }  // oneDNN counts from 0
  memory::dims padL() const { return {pt, pl}; }
  memory::dims padR() const { return {pb, pr}; }
};

// Rows are the N*H*W positions of an NHWC tensor. Reductions go by fixed blocks of rows,
// handed out dynamically (a busy core then does less, instead of stalling the other at
// the barrier), with per-block partial sums added in block order: results do not depend
// on the thread count or on scheduling.

inline constexpr int64_t kBlockRows = 1024;

// partial[block * channels * 2 + {0, channels} + c] = sums of f over the block's rows.
template <typename F>
std::vector<double> blockSums(int64_t rows, int64_t channels, F accumulate) {
  int64_t blocks = (rows + kBlockRows - 1) / kBlockRows;
  std::vector<double> partial(blocks * channels * 2, 0.0);
#pragma omp parallel for schedule(dynamic, 1)
  for (int64_t k = 0; k < blocks; k++) {
    double* a = &partial[k * channels * 2];
    int64_t end = std::min(rows, (k + 1) * kBlockRows);
    for (int64_t r = k * kBlockRows; r < end; r++) accumulate(r, a, a + channels);
  }
  std::vector<double> total(channels * 2, 0.0);
  for (int64_t k = 0; k < blocks; k++) {
    for (int64_t i = 0; i < channels * 2; i++) total[i] += partial[k * channels * 2 + i];
  }
  return total;
}

// BatchNorm's backward pass, per channel, from two sums over the rows: sDy = sum dy and
// sDyXc = sum dy * (x - mean). Gives dBeta and dGamma and the coefficients of
// dx = scale * (dy - shift - (x - mean) * xcFactor), the closed form of the batch-statistics
// gradient (Ioffe & Szegedy 2015) that tfjs's and PyTorch's kernels compute.
struct BnGradCoefficients {
  std::vector<float> scale, shift, xcFactor;
};

inline BnGradCoefficients bnGradCoefficients(const std::vector<double>& sums, const float* rstd, const float* gamma,
                                             int64_t rows, int64_t channels, float* dGamma, float* dBeta) {
  BnGradCoefficients k{std::vector<float>(channels), std::vector<float>(channels), std::vector<float>(channels)};
  for (int64_t c = 0; c < channels; c++) {
    const double sDy = sums[c], sDyXc = sums[channels + c];
    dBeta[c] = static_cast<float>(sDy);
    dGamma[c] = static_cast<float>(sDyXc * rstd[c]);
    k.scale[c] = gamma[c] * rstd[c];
    k.shift[c] = static_cast<float>(sDy / rows);
    k.xcFactor[c] = static_cast<float>(sDyXc / rows * rstd[c] * rstd[c]);
  }
  return k;
}

#define CHECK(call)                                                      \
  do {                                                                   \
    if ((call) != napi_ok) throw std::runtime_error("N-API call failed: " #call); \
  } while (0)

inline float* floats(napi_env env, napi_value v, size_t atLeast) {
  napi_typedarray_type type;
  size_t length;
  void* data;
  napi_value buffer;
  size_t offset;
  CHECK(napi_get_typedarray_info(env, v, &type, &length, &data, &buffer, &offset));
  if (type != napi_float32_array) throw std::runtime_error("expected a Float32Array");
  if (length < atLeast) throw std::runtime_error("Float32Array too short for the given shape");
  return static_cast<float*>(data);
}


inline std::vector<int64_t> ints(napi_env env, napi_value array, uint32_t count) {
  std::vector<int64_t> out(count);
  for (uint32_t i = 0; i < count; i++) {
    napi_value e;
    CHECK(napi_get_element(env, array, i, &e));
    CHECK(napi_get_value_int64(env, e, &out[i]));
  }
  return out;
}

template <size_t N>
void args(napi_env env, napi_callback_info info, napi_value (&argv)[N]) {
  size_t argc = N;
  CHECK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  if (argc != N) throw std::runtime_error("wrong number of arguments");
}

template <typename F>
napi_value guarded(napi_env env, F body) {
  try {
    body();
  } catch (const dnnl::error& e) {
    napi_throw_error(env, nullptr, (std::string("oneDNN: ") + e.what()).c_str());
  } catch (const std::exception& e) {
    napi_throw_error(env, nullptr, e.what());
  }
  return nullptr;
}

// Adds the whole-network training functions (net.cc) to the exports.
void registerNet(napi_env env, napi_value exports);

}  // namespace permanence
