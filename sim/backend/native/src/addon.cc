// Convolution kernels for Permanence's wasm backend, computed by oneDNN (the CPU library
// PyTorch uses) on all cores. Tensors stay where they are: the JS side passes
// Float32Array views of the wasm heap, read and written in place.
#include <node_api.h>

#include <dnnl.hpp>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "common.h"

namespace {

using namespace permanence;


dnnl::stream& stream() {
  static dnnl::stream s(engine());
  return s;
}


dnnl::convolution_forward::primitive_desc forwardPd(const Conv& c, dnnl::prop_kind kind) {
  dnnl::convolution_forward::desc d(kind, dnnl::algorithm::convolution_direct, c.src(), c.anyWeights(),
                                    c.dst(), c.strides(), c.dilates(), c.padL(), c.padR());
  return {d, engine()};
}

// Weights in the primitive's preferred layout (a reorder from HWIO when it differs).
memory weightsFor(const memory::desc& wanted, const Conv& c, float* user) {
  memory userMem(c.userWeights(), engine(), user);
  if (wanted == c.userWeights()) return userMem;
  memory packed(wanted, engine());
  dnnl::reorder(userMem, packed).execute(stream(), userMem, packed);
  return packed;
}

void forward(const Conv& c, float* x, float* w, float* y) {
  auto pd = forwardPd(c, dnnl::prop_kind::forward_training);
  memory src(c.src(), engine(), x), dst(c.dst(), engine(), y);
  memory weights = weightsFor(pd.weights_desc(), c, w);
  dnnl::convolution_forward(pd).execute(
      stream(), {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, dst}});
}

void backwardData(const Conv& c, float* dy, float* w, float* dx) {
  auto hint = forwardPd(c, dnnl::prop_kind::forward_training);
  dnnl::convolution_backward_data::desc d(dnnl::algorithm::convolution_direct, c.src(), c.anyWeights(),
                                          c.dst(), c.strides(), c.dilates(), c.padL(), c.padR());
  dnnl::convolution_backward_data::primitive_desc pd(d, engine(), hint);
  memory diffDst(c.dst(), engine(), dy), diffSrc(c.src(), engine(), dx);
  memory weights = weightsFor(pd.weights_desc(), c, w);
  dnnl::convolution_backward_data(pd).execute(
      stream(), {{DNNL_ARG_DIFF_DST, diffDst}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DIFF_SRC, diffSrc}});
}

void backwardWeights(const Conv& c, float* x, float* dy, float* dw) {
  auto hint = forwardPd(c, dnnl::prop_kind::forward_training);
  dnnl::convolution_backward_weights::desc d(dnnl::algorithm::convolution_direct, c.src(), c.anyWeights(),
                                             c.dst(), c.strides(), c.dilates(), c.padL(), c.padR());
  dnnl::convolution_backward_weights::primitive_desc pd(d, engine(), hint);
  memory src(c.src(), engine(), x), diffDst(c.dst(), engine(), dy);
  memory user(c.userWeights(), engine(), dw);
  bool direct = pd.diff_weights_desc() == c.userWeights();
  memory diffWeights = direct ? user : memory(pd.diff_weights_desc(), engine());
  dnnl::convolution_backward_weights(pd).execute(
      stream(), {{DNNL_ARG_SRC, src}, {DNNL_ARG_DIFF_DST, diffDst}, {DNNL_ARG_DIFF_WEIGHTS, diffWeights}});
  if (!direct) dnnl::reorder(diffWeights, user).execute(stream(), diffWeights, user);
}


// ---- BatchNorm and max-pool backward: memory-bound loops over rows -----------------------
// Reductions use blockSums (common.h): results do not depend on the thread count.


void bnMoments(const float* x, int64_t rows, int64_t channels, float* mean, float* var) {
  auto sums = blockSums(rows, channels, [&](int64_t r, double* s, double* q) {
    const float* row = x + r * channels;
    for (int64_t c = 0; c < channels; c++) {
      double v = row[c];
      s[c] += v;
      q[c] += v * v;
    }
  });
  for (int64_t c = 0; c < channels; c++) {
    double m = sums[c] / rows;
    mean[c] = static_cast<float>(m);
    var[c] = static_cast<float>(std::max(0.0, sums[channels + c] / rows - m * m));
  }
}

// y = x * scale + shift per channel (tf.batchNorm with [C] parameters).
void bnApply(const float* x, const float* scale, const float* shift, int64_t rows, int64_t channels, float* y) {
#pragma omp parallel for schedule(dynamic, kBlockRows)
  for (int64_t r = 0; r < rows; r++) {
    const float* v = x + r * channels;
    float* o = y + r * channels;
    for (int64_t c = 0; c < channels; c++) o[c] = v[c] * scale[c] + shift[c];
  }
}

void bnGrad(const float* dy, const float* x, const float* mean, const float* var, const float* gamma, double eps,
            int64_t rows, int64_t channels, float* dx, float* dGamma, float* dBeta) {
  std::vector<float> rstd(channels);
  for (int64_t c = 0; c < channels; c++) rstd[c] = static_cast<float>(1.0 / std::sqrt(var[c] + eps));
  auto sums = blockSums(rows, channels, [&](int64_t r, double* a, double* b) {
    const float* g = dy + r * channels;
    const float* v = x + r * channels;
    for (int64_t c = 0; c < channels; c++) {
      a[c] += g[c];
      b[c] += static_cast<double>(g[c]) * (v[c] - mean[c]);
    }
  });
  const auto k = bnGradCoefficients(sums, rstd.data(), gamma, rows, channels, dGamma, dBeta);
  const float *scale = k.scale.data(), *shift = k.shift.data(), *xcFactor = k.xcFactor.data();
#pragma omp parallel for schedule(dynamic, kBlockRows)
  for (int64_t r = 0; r < rows; r++) {
    const float* g = dy + r * channels;
    const float* v = x + r * channels;
    float* o = dx + r * channels;
    for (int64_t c = 0; c < channels; c++) o[c] = scale[c] * (g[c] - shift[c] - (v[c] - mean[c]) * xcFactor[c]);
  }
}

// Each dy goes to the first maximum of its window in row-major order (tfjs's cpu rule).
void maxPoolGrad(const float* dy, const float* x, float* dx, const int64_t* d) {
  const int64_t n = d[0], h = d[1], w = d[2], ch = d[3], oh = d[4], ow = d[5], fh = d[6], fw = d[7], sh = d[8],
                sw = d[9], pt = d[10], pl = d[11];
  std::fill(dx, dx + n * h * w * ch, 0.0f);
  // Windows of one image may overlap (stride < size), so images are the unit of work.
#pragma omp parallel for schedule(dynamic, 1)
  for (int64_t b = 0; b < n; b++) {
    const float* xb = x + b * h * w * ch;
    float* db = dx + b * h * w * ch;
    const float* gb = dy + b * oh * ow * ch;
    std::vector<float> best(ch);
    std::vector<int64_t> at(ch);
    for (int64_t i = 0; i < oh; i++) {
      int64_t r0 = i * sh - pt, rMin = std::max<int64_t>(0, r0), rMax = std::min(h, r0 + fh);
      for (int64_t j = 0; j < ow; j++) {
        int64_t c0 = j * sw - pl, cMin = std::max<int64_t>(0, c0), cMax = std::min(w, c0 + fw);
        std::fill(best.begin(), best.end(), -INFINITY);
        std::fill(at.begin(), at.end(), -1);
        for (int64_t r = rMin; r < rMax; r++) {
          for (int64_t c = cMin; c < cMax; c++) {
            const float* px = xb + (r * w + c) * ch;
            int64_t base = (r * w + c) * ch;
            for (int64_t k = 0; k < ch; k++) {
              if (px[k] > best[k]) {
                best[k] = px[k];
                at[k] = base + k;
              }
            }
          }
        }
        const float* g = gb + (i * ow + j) * ch;
        for (int64_t k = 0; k < ch; k++) {
          if (at[k] >= 0) db[at[k]] += g[k];
        }
      }
    }
  }
}

// ---- N-API glue -------------------------------------------------------------------------


// bnMoments(x, [rows, channels], mean, variance)
napi_value BnMomentsCall(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    napi_value a[4];
    args(env, info, a);
    auto d = ints(env, a[1], 2);
    bnMoments(floats(env, a[0], d[0] * d[1]), d[0], d[1], floats(env, a[2], d[1]), floats(env, a[3], d[1]));
  });
}

// bnApply(x, scale, shift, [rows, channels], y)
napi_value BnApplyCall(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    napi_value a[5];
    args(env, info, a);
    auto d = ints(env, a[3], 2);
    size_t all = d[0] * d[1], c = d[1];
    bnApply(floats(env, a[0], all), floats(env, a[1], c), floats(env, a[2], c), d[0], d[1], floats(env, a[4], all));
  });
}

// bnGrad(dy, x, mean, variance, gamma, [rows, channels], epsilon, dx, dGamma, dBeta)
napi_value BnGradCall(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    napi_value a[10];
    args(env, info, a);
    auto d = ints(env, a[5], 2);
    double eps;
    CHECK(napi_get_value_double(env, a[6], &eps));
    size_t all = d[0] * d[1], c = d[1];
    bnGrad(floats(env, a[0], all), floats(env, a[1], all), floats(env, a[2], c), floats(env, a[3], c),
           floats(env, a[4], c), eps, d[0], d[1], floats(env, a[7], all), floats(env, a[8], c), floats(env, a[9], c));
  });
}

// maxPoolGrad(dy, x, dx, [n, h, w, c, oh, ow, filterH, filterW, strideH, strideW, padTop, padLeft])
napi_value MaxPoolGradCall(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    napi_value a[4];
    args(env, info, a);
    auto d = ints(env, a[3], 12);
    size_t xs = d[0] * d[1] * d[2] * d[3], ys = d[0] * d[4] * d[5] * d[3];
    maxPoolGrad(floats(env, a[0], ys), floats(env, a[1], xs), floats(env, a[2], xs), d.data());
  });
}

// conv(kind, a, b, out, dims): kind 0 forward (x, w -> y), 1 backward data (dy, w -> dx),
// 2 backward weights (x, dy -> dw); dims = [n, h, w, cin, kh, kw, cout, oh, ow, sh, sw,
// padTop, padLeft, padBottom, padRight, dilationH, dilationW].
napi_value ConvCall(napi_env env, napi_callback_info info) {
  try {
    size_t argc = 5;
    napi_value argv[5];
    CHECK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
    if (argc != 5) throw std::runtime_error("conv expects 5 arguments");
    int32_t kind;
    CHECK(napi_get_value_int32(env, argv[0], &kind));
    int64_t d[17];
    for (uint32_t i = 0; i < 17; i++) {
      napi_value e;
      CHECK(napi_get_element(env, argv[4], i, &e));
      CHECK(napi_get_value_int64(env, e, &d[i]));
    }
    Conv c{d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10], d[11], d[12], d[13], d[14], d[15], d[16]};
    size_t xs = c.n * c.h * c.w * c.cin, ys = c.n * c.oh * c.ow * c.cout, ws = c.kh * c.kw * c.cin * c.cout;
    if (kind == 0) {
      forward(c, floats(env, argv[1], xs), floats(env, argv[2], ws), floats(env, argv[3], ys));
    } else if (kind == 1) {
      backwardData(c, floats(env, argv[1], ys), floats(env, argv[2], ws), floats(env, argv[3], xs));
    } else if (kind == 2) {
      backwardWeights(c, floats(env, argv[1], xs), floats(env, argv[2], ys), floats(env, argv[3], ws));
    } else {
      throw std::runtime_error("unknown conv kind");
    }
  } catch (const dnnl::error& e) {
    napi_throw_error(env, nullptr, (std::string("oneDNN: ") + e.what()).c_str());
  } catch (const std::exception& e) {
    napi_throw_error(env, nullptr, e.what());
  }
  return nullptr;
}

napi_value Version(napi_env env, napi_callback_info) {
  const dnnl_version_t* v = dnnl_version();
  std::string text = "oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
                     std::to_string(v->patch) + " (" + (v->cpu_runtime == DNNL_RUNTIME_OMP ? "OpenMP" : "other") + ")";
  napi_value out;
  napi_create_string_utf8(env, text.c_str(), text.size(), &out);
  return out;
}

// Sets the OpenMP team size of the calling thread only (a per-thread ICV): the event-loop
// thread answers one-image predictions, for which waking a second thread costs more than
// the convolution itself, while a training worker thread keeps every core.
napi_value SetThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  int32_t n = 0;
  if (argc < 1 || napi_get_value_int32(env, argv[0], &n) != napi_ok || n < 1) {
    napi_throw_type_error(env, nullptr, "setThreads expects a positive integer");
    return nullptr;
  }
  omp_set_num_threads(n);
  return nullptr;
}

napi_value Init(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "conv", NAPI_AUTO_LENGTH, ConvCall, nullptr, &fn);
  napi_set_named_property(env, exports, "conv", fn);
  napi_create_function(env, "bnMoments", NAPI_AUTO_LENGTH, BnMomentsCall, nullptr, &fn);
  napi_set_named_property(env, exports, "bnMoments", fn);
  napi_create_function(env, "bnApply", NAPI_AUTO_LENGTH, BnApplyCall, nullptr, &fn);
  napi_set_named_property(env, exports, "bnApply", fn);
  napi_create_function(env, "bnGrad", NAPI_AUTO_LENGTH, BnGradCall, nullptr, &fn);
  napi_set_named_property(env, exports, "bnGrad", fn);
  napi_create_function(env, "maxPoolGrad", NAPI_AUTO_LENGTH, MaxPoolGradCall, nullptr, &fn);
  napi_set_named_property(env, exports, "maxPoolGrad", fn);
  napi_create_function(env, "setThreads", NAPI_AUTO_LENGTH, SetThreads, nullptr, &fn);
  napi_set_named_property(env, exports, "setThreads", fn);
  napi_create_function(env, "version", NAPI_AUTO_LENGTH, Version, nullptr, &fn);
  napi_set_named_property(env, exports, "version", fn);
  registerNet(env, exports);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
