// Convolution kernels for Permanence's wasm backend, computed by oneDNN (the CPU library
// PyTorch uses) on all cores. Tensors stay where they are: the JS side passes
// Float32Array views of the wasm heap, read and written in place.
#include <node_api.h>

#include <dnnl.hpp>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using dnnl::memory;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

dnnl::engine& engine() {
  static dnnl::engine e(dnnl::engine::kind::cpu, 0);
  return e;
}

dnnl::stream& stream() {
  static dnnl::stream s(engine());
  return s;
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

// ---- N-API glue -------------------------------------------------------------------------

#define CHECK(call)                                                      \
  do {                                                                   \
    if ((call) != napi_ok) throw std::runtime_error("N-API call failed: " #call); \
  } while (0)

float* floats(napi_env env, napi_value v, size_t atLeast) {
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

napi_value Init(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "conv", NAPI_AUTO_LENGTH, ConvCall, nullptr, &fn);
  napi_set_named_property(env, exports, "conv", fn);
  napi_create_function(env, "version", NAPI_AUTO_LENGTH, Version, nullptr, &fn);
  napi_set_named_property(env, exports, "version", fn);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
