// A whole training step of the two reference architectures in one native call: forward,
// softmax cross-entropy, backward and SGD with momentum, on buffers the net owns. Per-op
// dispatch and copies between tfjs ops dominated a step on two cores (bench/profile-train.ts),
// so the net is interpreted here from a small plan built on the JS side
// (sim/backend/native-net/plan.ts), with oneDNN convolutions whose primitives are created
// once per batch size and cached. The math is the tfjs path's (sim/models/layers.ts,
// sim/train/sgd.ts), which stays the fallback and the reference of the tests.
#include <omp.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <map>
#include <memory>

#include "common.h"

namespace permanence {
namespace {

constexpr double kBnEpsilon = 1e-5;
constexpr float kBnMomentum = 0.1f;  // PyTorch's: running = 0.9 running + 0.1 batch

enum Op : int32_t { kCbr = 1, kAdd = 3, kGlobalMax = 4, kDense = 5 };
constexpr int32_t kPooled = 1;  // cbr flag: a 2x2 max-pool follows

// One plan entry, 14 ints: [op, in, in2, out, h, w, cin, cout, p0, p1, p2, p3, p4, flags].
// cbr: conv3x3 'same' (kernel p0) - BatchNorm (gamma p1, beta p2, running mean p3, running
// variance p4) - ReLU on an h x w x cin input, then with flags & kPooled a 2x2 max-pool,
// stride 2, 'valid' (fused: the full-size ReLU output and its gradient never exist, which
// saves most of the memory passes of a conv-BN-ReLU-pool unit). add: in + in2. globalMax:
// max over h, w. dense: [n, cin] x [cin, cout] (weights p0) + bias p1 (-1: none). Buffer 0
// is the input batch.
constexpr int kPlanStride = 14;

struct ConvPrimitives {
  dnnl::convolution_forward forward;
  dnnl::convolution_forward inference;
  memory::desc forwardWeights, inferenceWeights;
  dnnl::convolution_backward_data backwardData;
  memory::desc backwardDataWeights;
  memory packedForward, packedInference, packedBackward;
  bool hasBackwardData = false;
};

// The backward-weights primitive of one chunk size, with a diff-weights buffer (when its
// layout is not HWIO) and a scratchpad per thread: chunks run concurrently.
struct WeightsGrad {
  dnnl::convolution_backward_weights primitive;
  memory::desc diffWeights;
  std::vector<memory> packed, scratchpad;
};

struct Node {
  int32_t op, in, in2, out;
  int64_t h, w, cin, cout;
  int32_t p[5];
  bool pooled = false;
  std::vector<float> z;        // cbr: the convolution's output (BatchNorm's input)
  std::vector<float> dz;       // pooled cbr: the gradient of z
  std::vector<float> mean, rstd;
  std::vector<uint8_t> argmax;  // pool: which of the 4 window positions won
  std::map<int64_t, ConvPrimitives> conv;  // by batch size
  std::map<std::pair<int64_t, int>, WeightsGrad> weightsGrad;  // by chunk size and chunk count
  std::vector<float> dkParts;  // one weight gradient per chunk
};

struct Buffer {
  int64_t perSample = 0;
  std::vector<float> data, grad;
  bool hasGrad = false;
};

struct Net {
  std::vector<Node> nodes;
  std::vector<Buffer> buffers;
  std::vector<std::vector<float>> params, grads, velocity;
  std::vector<bool> trainable;
  std::vector<float> scratch;
  std::vector<int32_t> labels;
  int64_t classes = 0, capacity = 0;
  float logitScale = 1;
  dnnl::stream stream{engine()};
  std::vector<dnnl::stream> threadStreams;  // one per chunk of weightsGradient
  // Milliseconds per node, forward then backward, then loss and SGD (netTimings).
  std::vector<double> timings;
};

double nowMs() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

Conv convOf(const Node& node, int64_t n) {
  return Conv{n, node.h, node.w, node.cin, 3, 3, node.cout, node.h, node.w, 1, 1, 1, 1, 1, 1, 1, 1};
}

dnnl::convolution_forward::desc forwardDesc(const Conv& c, dnnl::prop_kind kind) {
  return {kind, dnnl::algorithm::convolution_direct, c.src(), c.anyWeights(), c.dst(),
          c.strides(), c.dilates(), c.padL(), c.padR()};
}

ConvPrimitives& primitivesFor(Node& node, int64_t n) {
  auto found = node.conv.find(n);
  if (found != node.conv.end()) return found->second;
  Conv c = convOf(node, n);
  ConvPrimitives p;
  dnnl::convolution_forward::primitive_desc fwd(forwardDesc(c, dnnl::prop_kind::forward_training), engine());
  p.forward = dnnl::convolution_forward(fwd);
  p.forwardWeights = fwd.weights_desc();
  p.packedForward = memory(p.forwardWeights, engine());
  dnnl::convolution_forward::primitive_desc inf(forwardDesc(c, dnnl::prop_kind::forward_inference), engine());
  p.inference = dnnl::convolution_forward(inf);
  p.inferenceWeights = inf.weights_desc();
  p.packedInference = memory(p.inferenceWeights, engine());
  if (node.in != 0) {
    dnnl::convolution_backward_data::desc d(dnnl::algorithm::convolution_direct, c.src(), c.anyWeights(), c.dst(),
                                            c.strides(), c.dilates(), c.padL(), c.padR());
    dnnl::convolution_backward_data::primitive_desc pd(d, engine(), fwd);
    p.backwardData = dnnl::convolution_backward_data(pd);
    p.backwardDataWeights = pd.weights_desc();
    p.packedBackward = memory(p.backwardDataWeights, engine());
    p.hasBackwardData = true;
  }
  return node.conv.emplace(n, std::move(p)).first->second;
}

// Copies HWIO weights into the layout a primitive wants (or points at them when it is HWIO).
memory packed(Net& net, const Conv& c, const memory::desc& wanted, memory& into, float* user) {
  memory userMem(c.userWeights(), engine(), user);
  if (wanted == c.userWeights()) return userMem;
  dnnl::reorder(userMem, into).execute(net.stream, userMem, into);
  return into;
}

void ensureCapacity(Net& net, int64_t n) {
  if (n <= net.capacity) return;
  for (auto& b : net.buffers) {
    b.data.assign(n * b.perSample, 0.0f);
    b.grad.assign(n * b.perSample, 0.0f);
  }
  size_t largest = 0;
  for (auto& node : net.nodes) {
    if (node.op == kCbr) node.z.assign(n * node.h * node.w * node.cout, 0.0f);
    if (node.pooled) {
      node.dz.assign(n * node.h * node.w * node.cout, 0.0f);
      node.argmax.assign(n * (node.h / 2) * (node.w / 2) * node.cout, 0);
    }
  }
  for (auto& b : net.buffers) largest = std::max(largest, b.grad.size());
  net.scratch.assign(largest, 0.0f);
  net.labels.assign(n, 0);
  net.capacity = n;
}

// Per-channel sums over rows of an NHWC tensor, by fixed blocks of rows handed out
// dynamically; the blocks' partials are added in block order in double, so results do not
// depend on the thread count or on scheduling. Within a block, channels go by groups of
// kLanes with accumulators in registers (a block's rows stay in cache while each group
// reads them): a runtime-sized accumulator array in memory made the sums 8x slower.
// term(x, r, c) gives the two summands (first, second) of row r, channel c.
constexpr int64_t kLanes = 8;

template <typename Term>
std::vector<double> channelSums(int64_t rows, int64_t ch, Term term) {
  const int64_t blocks = (rows + kBlockRows - 1) / kBlockRows;
  std::vector<float> partial(blocks * ch * 2, 0.0f);
#pragma omp parallel for schedule(dynamic, 1)
  for (int64_t k = 0; k < blocks; k++) {
    const int64_t begin = k * kBlockRows, end = std::min(rows, (k + 1) * kBlockRows);
    float* out = &partial[k * ch * 2];
    for (int64_t c0 = 0; c0 < ch; c0 += kLanes) {
      const int64_t lanes = std::min(kLanes, ch - c0);
      float a[kLanes] = {}, b[kLanes] = {};
      if (lanes == kLanes) {
        for (int64_t r = begin; r < end; r++) {
          for (int64_t j = 0; j < kLanes; j++) {
            float u, v;
            term(r, c0 + j, u, v);
            a[j] += u;
            b[j] += v;
          }
        }
      } else {
        for (int64_t r = begin; r < end; r++) {
          for (int64_t j = 0; j < lanes; j++) {
            float u, v;
            term(r, c0 + j, u, v);
            a[j] += u;
            b[j] += v;
          }
        }
      }
      for (int64_t j = 0; j < lanes; j++) {
        out[c0 + j] = a[j];
        out[ch + c0 + j] = b[j];
      }
    }
  }
  std::vector<double> total(ch * 2, 0.0);
  for (int64_t k = 0; k < blocks; k++) {
    for (int64_t i = 0; i < ch * 2; i++) total[i] += partial[k * ch * 2 + i];
  }
  return total;
}

// Batch mean and biased variance per channel. The sums are of x - x0 (x0: the first row,
// a rough mean), so the float partials keep their precision when the mean is large
// against the spread; the shift is undone exactly in double.
void moments(const float* z, int64_t rows, int64_t ch, float* mean, float* var) {
  const float* x0 = z;
  auto sums = channelSums(rows, ch, [&](int64_t r, int64_t c, float& s, float& q) {
    const float d = z[r * ch + c] - x0[c];
    s = d;
    q = d * d;
  });
  for (int64_t c = 0; c < ch; c++) {
    const double ms = sums[c] / rows;  // mean of x - x0
    mean[c] = static_cast<float>(ms + x0[c]);
    var[c] = static_cast<float>(std::max(0.0, sums[ch + c] / rows - ms * ms));
  }
}

// ---- forward -----------------------------------------------------------------------------

void convForward(Net& net, Node& node, int64_t n, bool training, const float* x, float* y) {
  Conv c = convOf(node, n);
  ConvPrimitives& p = primitivesFor(node, n);
  float* k = net.params[node.p[0]].data();
  memory src(c.src(), engine(), const_cast<float*>(x)), dst(c.dst(), engine(), y);
  if (training) {
    memory w = packed(net, c, p.forwardWeights, p.packedForward, k);
    p.forward.execute(net.stream, {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DST, dst}});
  } else {
    memory w = packed(net, c, p.inferenceWeights, p.packedInference, k);
    p.inference.execute(net.stream, {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DST, dst}});
  }
  net.stream.wait();
}

void cbrForward(Net& net, Node& node, int64_t n, bool training) {
  const int64_t rows = n * node.h * node.w, ch = node.cout;
  float* z = node.z.data();
  convForward(net, node, n, training, net.buffers[node.in].data.data(), z);
  const float* gamma = net.params[node.p[1]].data();
  const float* beta = net.params[node.p[2]].data();
  float* runningMean = net.params[node.p[3]].data();
  float* runningVar = net.params[node.p[4]].data();
  std::vector<float> scale(ch), shift(ch);
  node.mean.assign(ch, 0.0f);
  node.rstd.assign(ch, 0.0f);
  if (training) {
    std::vector<float> batchVar(ch);
    moments(z, rows, ch, node.mean.data(), batchVar.data());
    const float unbias = static_cast<float>(static_cast<double>(rows) / std::max<int64_t>(rows - 1, 1));
    for (int64_t c = 0; c < ch; c++) {
      const float mean = node.mean[c], var = batchVar[c];
      node.rstd[c] = static_cast<float>(1.0 / std::sqrt(var + kBnEpsilon));
      runningMean[c] = runningMean[c] * (1 - kBnMomentum) + mean * kBnMomentum;
      runningVar[c] = runningVar[c] * (1 - kBnMomentum) + var * unbias * kBnMomentum;
    }
  } else {
    for (int64_t c = 0; c < ch; c++) {
      node.mean[c] = runningMean[c];
      node.rstd[c] = static_cast<float>(1.0 / std::sqrt(runningVar[c] + kBnEpsilon));
    }
  }
  for (int64_t c = 0; c < ch; c++) {
    scale[c] = gamma[c] * node.rstd[c];
    shift[c] = beta[c] - node.mean[c] * scale[c];
  }
  float* __restrict a = net.buffers[node.out].data.data();
  const float* __restrict sc = scale.data();
  const float* __restrict sh = shift.data();
  if (!node.pooled) {
#pragma omp parallel for schedule(static)
    for (int64_t r = 0; r < rows; r++) {
      const float* __restrict v = z + r * ch;
      float* __restrict o = a + r * ch;
      for (int64_t c = 0; c < ch; c++) o[c] = std::max(0.0f, v[c] * sc[c] + sh[c]);
    }
    return;
  }
  // max(relu(v)) = relu(max(v)), and the first maximum of v in row-major order is the one
  // tfjs's max-pool gradient picks on the ReLU output wherever that gradient is not zero.
  const int64_t h = node.h, w = node.w, oh = h / 2, ow = w / 2;
  uint8_t* __restrict at = node.argmax.data();
#pragma omp parallel for schedule(static)
  for (int64_t bi = 0; bi < n * oh; bi++) {
    const int64_t b = bi / oh, i = bi % oh;
    for (int64_t j = 0; j < ow; j++) {
      const float* __restrict p00 = z + ((b * h + 2 * i) * w + 2 * j) * ch;
      const float* __restrict p01 = p00 + ch;
      const float* __restrict p10 = p00 + w * ch;
      const float* __restrict p11 = p10 + ch;
      const int64_t o = ((b * oh + i) * ow + j) * ch;
      // Branch-free, so that the channel loop vectorises: a pairwise maximum keeps the
      // first of equal values (strict >), as the sequential scan did.
#pragma omp simd
      for (int64_t c = 0; c < ch; c++) {
        const float v0 = p00[c] * sc[c] + sh[c], v1 = p01[c] * sc[c] + sh[c];
        const float v2 = p10[c] * sc[c] + sh[c], v3 = p11[c] * sc[c] + sh[c];
        const int32_t top1 = v1 > v0, bottom3 = v3 > v2;
        const float m01 = top1 ? v1 : v0, m23 = bottom3 ? v3 : v2;
        const int32_t lower = m23 > m01;
        const float best = lower ? m23 : m01;
        a[o + c] = best > 0.0f ? best : 0.0f;
        at[o + c] = static_cast<uint8_t>(lower * (2 + bottom3) + (1 - lower) * top1);
      }
    }
  }
}

void addForward(Net& net, Node& node, int64_t n) {
  const float* a = net.buffers[node.in].data.data();
  const float* b = net.buffers[node.in2].data.data();
  float* y = net.buffers[node.out].data.data();
  const int64_t size = n * net.buffers[node.out].perSample;
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < size; i++) y[i] = a[i] + b[i];
}

void globalMaxForward(Net& net, Node& node, int64_t n) {
  const int64_t hw = node.h * node.w, ch = node.cin;
  const float* x = net.buffers[node.in].data.data();
  float* y = net.buffers[node.out].data.data();
#pragma omp parallel for schedule(static)
  for (int64_t b = 0; b < n; b++) {
    float* o = y + b * ch;
    std::copy(x + b * hw * ch, x + b * hw * ch + ch, o);
    for (int64_t s = 1; s < hw; s++) {
      const float* v = x + (b * hw + s) * ch;
      for (int64_t c = 0; c < ch; c++) o[c] = std::max(o[c], v[c]);
    }
  }
}

// Row-major sgemm, C = A' B' (' = transposed when the flag says so): oneDNN's, on all
// cores. The dense layer's loops by hand ran at a few GFLOP/s: 7-12% of a small-CNN step.
void gemm(bool transA, bool transB, int64_t m, int64_t n, int64_t k, const float* a, const float* b, float* c) {
  const int64_t lda = transA ? m : k, ldb = transB ? k : n;
  if (dnnl_sgemm(transA ? 'T' : 'N', transB ? 'T' : 'N', m, n, k, 1.0f, a, lda, b, ldb, 0.0f, c, n) != dnnl_success) {
    throw std::runtime_error("oneDNN sgemm failed");
  }
}

void denseForward(Net& net, Node& node, int64_t n) {
  const int64_t in = node.cin, out = node.cout;
  const float* x = net.buffers[node.in].data.data();
  const float* w = net.params[node.p[0]].data();
  const float* bias = node.p[1] >= 0 ? net.params[node.p[1]].data() : nullptr;
  float* y = net.buffers[node.out].data.data();
  gemm(false, false, n, out, in, x, w, y);  // [n, in] x [in, out]
  if (!bias) return;
  for (int64_t b = 0; b < n; b++) {
    for (int64_t c = 0; c < out; c++) y[b * out + c] += bias[c];
  }
}

void forward(Net& net, int64_t n, bool training) {
  size_t i = 0;
  for (auto& node : net.nodes) {
    double t0 = nowMs();
    switch (node.op) {
      case kCbr: cbrForward(net, node, n, training); break;
      case kAdd: addForward(net, node, n); break;
      case kGlobalMax: globalMaxForward(net, node, n); break;
      case kDense: denseForward(net, node, n); break;
      default: throw std::runtime_error("unknown plan op");
    }
    if (training) net.timings[i] += nowMs() - t0;
    i++;
  }
}

// ---- loss ------------------------------------------------------------------------------

// Mean softmax cross-entropy of scale * logits (tf.losses.softmaxCrossEntropy's default
// reduction); writes d loss / d logits into the logits buffer's gradient.
double lossAndGrad(Net& net, int64_t n) {
  Buffer& logits = net.buffers[net.nodes.back().out];
  const int64_t k = net.classes;
  const float s = net.logitScale;
  double total = 0;
  for (int64_t b = 0; b < n; b++) {
    const float* l = logits.data.data() + b * k;
    float* g = logits.grad.data() + b * k;
    float top = -INFINITY;
    for (int64_t c = 0; c < k; c++) top = std::max(top, s * l[c]);
    double sum = 0;
    for (int64_t c = 0; c < k; c++) sum += std::exp(static_cast<double>(s * l[c] - top));
    const int32_t label = net.labels[b];
    total += std::log(sum) + top - s * l[label];
    for (int64_t c = 0; c < k; c++) {
      double p = std::exp(static_cast<double>(s * l[c] - top)) / sum;
      g[c] = static_cast<float>((p - (c == label ? 1.0 : 0.0)) * s / n);
    }
  }
  logits.hasGrad = true;
  return total / n;
}

// ---- backward ----------------------------------------------------------------------------

// Hands a gradient to a buffer: written in place when it has none yet, else added (a
// buffer read by two nodes, the residual's input, receives two).
template <typename F>
void giveGrad(Net& net, int32_t id, int64_t n, F compute) {
  Buffer& b = net.buffers[id];
  const int64_t size = n * b.perSample;
  if (!b.hasGrad) {
    compute(b.grad.data());
    b.hasGrad = true;
    return;
  }
  float* tmp = net.scratch.data();
  compute(tmp);
  float* g = b.grad.data();
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < size; i++) g[i] += tmp[i];
}

// The convolution's weight gradient, by chunks of the batch, one per thread, each chunk's
// primitive run single-threaded (one OpenMP thread each), then the
// chunks' gradients added in chunk order. oneDNN's own multi-threaded backward-weights pass
// reduces over the batch behind a spinning barrier: at batch 64 on two cores the second
// thread spent about as long spinning as computing, and on a loaded machine a descheduled
// thread stalled the other for whole time slices (bench/profile-train.ts under perf).
WeightsGrad& weightsGradFor(Node& node, int64_t m, int threads) {
  auto found = node.weightsGrad.find({m, threads});
  if (found != node.weightsGrad.end()) return found->second;
  Conv c = convOf(node, m);
  dnnl::convolution_forward::primitive_desc hint(forwardDesc(c, dnnl::prop_kind::forward_training), engine());
  dnnl::convolution_backward_weights::desc d(dnnl::algorithm::convolution_direct, c.src(), c.anyWeights(), c.dst(),
                                             c.strides(), c.dilates(), c.padL(), c.padR());
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  // oneDNN fixes a primitive's thread count when it creates it: one, as it will run.
  const int team = omp_get_max_threads();
  omp_set_num_threads(1);
  dnnl::convolution_backward_weights::primitive_desc pd(d, attr, engine(), hint);
  WeightsGrad g{dnnl::convolution_backward_weights(pd), pd.diff_weights_desc(), {}, {}};
  omp_set_num_threads(team);
  for (int t = 0; t < threads; t++) {
    g.packed.emplace_back(g.diffWeights, engine());
    g.scratchpad.emplace_back(pd.scratchpad_desc(), engine());
  }
  return node.weightsGrad.emplace(std::make_pair(m, threads), std::move(g)).first->second;
}

void weightsGradient(Net& net, Node& node, int64_t n, const float* x, const float* dz, float* dk) {
  const int chunks = static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(omp_get_max_threads(), n)));
  const int64_t size = 9 * node.cin * node.cout, xRow = node.h * node.w * node.cin, dzRow = node.h * node.w * node.cout;
  auto first = [&](int t) { return n * t / chunks; };
  std::vector<WeightsGrad*> prims(chunks);
  for (int t = 0; t < chunks; t++) prims[t] = &weightsGradFor(node, first(t + 1) - first(t), chunks);
  while (static_cast<int>(net.threadStreams.size()) < chunks) net.threadStreams.emplace_back(engine());
  node.dkParts.resize(chunks * size);
  // Chunk t goes to thread t (static, 1): each uses its own stream, buffers and scratchpad.
#pragma omp parallel for num_threads(chunks) schedule(static, 1)
  for (int t = 0; t < chunks; t++) {
    // oneDNN sizes its team by omp_get_max_threads(): one here, else its barrier waits for a
    // second thread the nested region never gets. The setting ends with this implicit task.
    omp_set_num_threads(1);
    const int64_t b0 = first(t), m = first(t + 1) - b0;
    WeightsGrad& g = *prims[t];
    const Conv c = convOf(node, m);
    dnnl::stream& s = net.threadStreams[t];
    memory src(c.src(), engine(), const_cast<float*>(x + b0 * xRow));
    memory diffDst(c.dst(), engine(), const_cast<float*>(dz + b0 * dzRow));
    memory user(c.userWeights(), engine(), node.dkParts.data() + t * size);
    const bool direct = g.diffWeights == c.userWeights();
    memory diffW = direct ? user : g.packed[t];
    g.primitive.execute(s, {{DNNL_ARG_SRC, src},
                            {DNNL_ARG_DIFF_DST, diffDst},
                            {DNNL_ARG_DIFF_WEIGHTS, diffW},
                            {DNNL_ARG_SCRATCHPAD, g.scratchpad[t]}});
    if (!direct) dnnl::reorder(diffW, user).execute(s, diffW, user);
    s.wait();
  }
  std::copy(node.dkParts.begin(), node.dkParts.begin() + size, dk);
  for (int t = 1; t < chunks; t++) {
    const float* part = node.dkParts.data() + t * size;
    for (int64_t i = 0; i < size; i++) dk[i] += part[i];
  }
}

// Writes into dz the gradient reaching BatchNorm's output: through the ReLU (it passes where
// the output is positive: tfjs's dy * step(x)) and, for a pooled unit, the max-pool (only
// the window's winner receives; rows and columns past the last full window nothing). One
// pass by output position: an earlier version located each input row's window with four
// integer divisions per element, which made this the largest item of a small-CNN step.
void routeGrad(const Node& node, const Buffer& out, int64_t n, float* dz) {
  const int64_t ch = node.cout;
  const float* dy = out.grad.data();  // dz may be dy (unpooled: in place)
  const float* __restrict y = out.data.data();
  if (!node.pooled) {
    const int64_t size = n * node.h * node.w * ch;
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < size; i++) dz[i] = y[i] > 0 ? dy[i] : 0.0f;  // in place when dz is dy
    return;
  }
  const int64_t h = node.h, w = node.w, oh = h / 2, ow = w / 2;
  const uint8_t* __restrict at = node.argmax.data();
#pragma omp parallel for schedule(static)
  for (int64_t b = 0; b < n; b++) {
    float* __restrict img = dz + b * h * w * ch;
    for (int64_t i = 0; i < oh; i++) {
      float* __restrict r0 = img + 2 * i * w * ch;
      float* __restrict r1 = r0 + w * ch;
      for (int64_t j = 0; j < ow; j++) {
        const int64_t o = ((b * oh + i) * ow + j) * ch;
        float* __restrict p00 = r0 + 2 * j * ch;
        float* __restrict p01 = p00 + ch;
        float* __restrict p10 = r1 + 2 * j * ch;
        float* __restrict p11 = p10 + ch;
#pragma omp simd
        for (int64_t c = 0; c < ch; c++) {
          const float d = dy[o + c];  // loaded unconditionally, so the selects vectorise
          const float g = y[o + c] > 0 ? d : 0.0f;
          const uint8_t k = at[o + c];
          p00[c] = k == 0 ? g : 0.0f;
          p01[c] = k == 1 ? g : 0.0f;
          p10[c] = k == 2 ? g : 0.0f;
          p11[c] = k == 3 ? g : 0.0f;
        }
      }
      if (w % 2) {
        std::fill(r0 + (w - 1) * ch, r0 + w * ch, 0.0f);
        std::fill(r1 + (w - 1) * ch, r1 + w * ch, 0.0f);
      }
    }
    if (h % 2) std::fill(img + (h - 1) * w * ch, img + h * w * ch, 0.0f);
  }
}

void cbrBackward(Net& net, Node& node, int64_t n) {
  const int64_t rows = n * node.h * node.w, ch = node.cout;
  Buffer& outBuf = net.buffers[node.out];
  // dz: in place over the output's gradient when unpooled (same shape), else its own.
  float* dz = node.pooled ? node.dz.data() : outBuf.grad.data();
  routeGrad(node, outBuf, n, dz);
  const float* z = node.z.data();
  const float* mean = node.mean.data();
  const float* rstd = node.rstd.data();
  const float* gamma = net.params[node.p[1]].data();
  auto sums = channelSums(rows, ch, [&](int64_t r, int64_t c, float& sg, float& sgx) {
    sg = dz[r * ch + c];
    sgx = sg * (z[r * ch + c] - mean[c]);
  });
  float* dGamma = net.grads[node.p[1]].data();
  float* dBeta = net.grads[node.p[2]].data();
  const auto k = bnGradCoefficients(sums, rstd, gamma, rows, ch, dGamma, dBeta);
  const float* __restrict sc = k.scale.data();
  const float* __restrict sh = k.shift.data();
  const float* __restrict xf = k.xcFactor.data();
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; r++) {
    float* __restrict d = dz + r * ch;
    const float* __restrict zr = z + r * ch;
    for (int64_t c = 0; c < ch; c++) d[c] = sc[c] * (d[c] - sh[c] - (zr[c] - mean[c]) * xf[c]);
  }

  Conv c = convOf(node, n);
  ConvPrimitives& p = primitivesFor(node, n);
  weightsGradient(net, node, n, net.buffers[node.in].data.data(), dz, net.grads[node.p[0]].data());
  memory diffDst(c.dst(), engine(), dz);
  if (p.hasBackwardData) {
    // The weights are unchanged since the forward pass (SGD comes after the backward).
    memory w = p.backwardDataWeights == p.forwardWeights && p.forwardWeights != c.userWeights()
                   ? p.packedForward
                   : packed(net, c, p.backwardDataWeights, p.packedBackward, net.params[node.p[0]].data());
    giveGrad(net, node.in, n, [&](float* dx) {
      memory diffSrc(c.src(), engine(), dx);
      p.backwardData.execute(net.stream,
                             {{DNNL_ARG_DIFF_DST, diffDst}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DIFF_SRC, diffSrc}});
      net.stream.wait();
    });
  }
  net.stream.wait();
}

void addBackward(Net& net, Node& node, int64_t n) {
  const Buffer& out = net.buffers[node.out];
  const int64_t size = n * out.perSample;
  for (int32_t id : {node.in, node.in2}) {
    if (id == 0) continue;
    giveGrad(net, id, n, [&](float* dx) { std::memcpy(dx, out.grad.data(), size * sizeof(float)); });
  }
}

void globalMaxBackward(Net& net, Node& node, int64_t n) {
  if (node.in == 0) return;
  const int64_t hw = node.h * node.w, ch = node.cin;
  const float* x = net.buffers[node.in].data.data();
  const float* y = net.buffers[node.out].data.data();
  const float* dy = net.buffers[node.out].grad.data();
  // Every position equal to the maximum receives the gradient (tfjs's Max gradient).
  giveGrad(net, node.in, n, [&](float* dx) {
#pragma omp parallel for schedule(static)
    for (int64_t b = 0; b < n; b++) {
      for (int64_t s = 0; s < hw; s++) {
        const int64_t i = (b * hw + s) * ch;
        for (int64_t c = 0; c < ch; c++) dx[i + c] = x[i + c] == y[b * ch + c] ? dy[b * ch + c] : 0.0f;
      }
    }
  });
}

void denseBackward(Net& net, Node& node, int64_t n) {
  const int64_t in = node.cin, out = node.cout;
  const float* x = net.buffers[node.in].data.data();
  const float* dy = net.buffers[node.out].grad.data();
  const float* w = net.params[node.p[0]].data();
  gemm(true, false, in, out, n, x, dy, net.grads[node.p[0]].data());  // x' dy
  if (node.p[1] >= 0) {
    float* db = net.grads[node.p[1]].data();
    std::fill(db, db + out, 0.0f);
    for (int64_t b = 0; b < n; b++) {
      for (int64_t c = 0; c < out; c++) db[c] += dy[b * out + c];
    }
  }
  if (node.in == 0) return;
  giveGrad(net, node.in, n, [&](float* dx) { gemm(false, true, n, in, out, dy, w, dx); });  // dy w'
}

void backward(Net& net, int64_t n) {
  const size_t count = net.nodes.size();
  for (size_t i = count; i-- > 0;) {
    Node& node = net.nodes[i];
    double t0 = nowMs();
    if (!net.buffers[node.out].hasGrad) throw std::runtime_error("plan: a node's output has no gradient");
    switch (node.op) {
      case kCbr: cbrBackward(net, node, n); break;
      case kAdd: addBackward(net, node, n); break;
      case kGlobalMax: globalMaxBackward(net, node, n); break;
      case kDense: denseBackward(net, node, n); break;
      default: throw std::runtime_error("unknown plan op");
    }
    net.timings[count + i] += nowMs() - t0;
  }
}

// SGD with momentum and coupled weight decay, PyTorch's (and sgd.ts's) order of operations:
// g' = g + wd w; v = mu v + g'; w = w - lr v.
void sgdStep(Net& net, float lr, float momentum, float weightDecay) {
  for (size_t i = 0; i < net.params.size(); i++) {
    if (!net.trainable[i]) continue;
    float* w = net.params[i].data();
    const float* g = net.grads[i].data();
    float* v = net.velocity[i].data();
    const int64_t size = static_cast<int64_t>(net.params[i].size());
#pragma omp parallel for schedule(static) if (size > 16384)
    for (int64_t j = 0; j < size; j++) {
      const float decayed = weightDecay > 0 ? g[j] + w[j] * weightDecay : g[j];
      v[j] = v[j] * momentum + decayed;
      w[j] = w[j] - v[j] * lr;
    }
  }
}

// Copies images order[from, from + n) of a dataset into the input buffer and their labels.
void gather(Net& net, const float* images, const int32_t* labels, const int32_t* order, int64_t n) {
  const int64_t size = net.buffers[0].perSample;
  float* x = net.buffers[0].data.data();
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; i++) {
    std::memcpy(x + i * size, images + static_cast<int64_t>(order[i]) * size, size * sizeof(float));
  }
  for (int64_t i = 0; i < n; i++) net.labels[i] = labels[order[i]];
}

// ---- N-API -------------------------------------------------------------------------------

Net* netOf(napi_env env, napi_value v) {
  void* data;
  CHECK(napi_get_value_external(env, v, &data));
  return static_cast<Net*>(data);
}

template <typename T>
T* typed(napi_env env, napi_value v, napi_typedarray_type want, size_t* length) {
  napi_typedarray_type type;
  void* data;
  napi_value buffer;
  size_t offset;
  CHECK(napi_get_typedarray_info(env, v, &type, length, &data, &buffer, &offset));
  if (type != want) throw std::runtime_error("unexpected typed array type");
  return static_cast<T*>(data);
}

int64_t int64Of(napi_env env, napi_value v) {
  int64_t out;
  CHECK(napi_get_value_int64(env, v, &out));
  return out;
}

double doubleOf(napi_env env, napi_value v) {
  double out;
  CHECK(napi_get_value_double(env, v, &out));
  return out;
}

// netCreate(plan Int32Array, input [h, w, c], classes, logitScale, paramSizes Int32Array,
// trainable Uint8Array) -> handle
napi_value NetCreate(napi_env env, napi_callback_info info) {
  napi_value result = nullptr;
  guarded(env, [&] {
    napi_value a[6];
    args(env, info, a);
    size_t planLength, paramCount, flagCount;
    const int32_t* plan = typed<int32_t>(env, a[0], napi_int32_array, &planLength);
    auto input = ints(env, a[1], 3);
    const int32_t* sizes = typed<int32_t>(env, a[4], napi_int32_array, &paramCount);
    const uint8_t* flags = typed<uint8_t>(env, a[5], napi_uint8_array, &flagCount);
    if (planLength % kPlanStride != 0 || planLength == 0) throw std::runtime_error("plan length");
    if (flagCount != paramCount) throw std::runtime_error("trainable flags and parameter sizes differ");
    auto net = std::make_unique<Net>();
    net->classes = int64Of(env, a[2]);
    net->logitScale = static_cast<float>(doubleOf(env, a[3]));
    for (size_t i = 0; i < paramCount; i++) {
      net->params.emplace_back(sizes[i], 0.0f);
      net->grads.emplace_back(sizes[i], 0.0f);
      net->velocity.emplace_back(flags[i] ? sizes[i] : 0, 0.0f);
      net->trainable.push_back(flags[i] != 0);
    }
    net->buffers.emplace_back();
    net->buffers[0].perSample = input[0] * input[1] * input[2];
    auto param = [&](int32_t i, size_t size) {
      if (i < 0 || static_cast<size_t>(i) >= paramCount || net->params[i].size() != size) {
        throw std::runtime_error("plan: parameter index or size mismatch");
      }
    };
    for (size_t at = 0; at < planLength; at += kPlanStride) {
      const int32_t* e = plan + at;
      Node node;
      node.op = e[0];
      node.in = e[1];
      node.in2 = e[2];
      node.out = e[3];
      node.h = e[4];
      node.w = e[5];
      node.cin = e[6];
      node.cout = e[7];
      std::copy(e + 8, e + 13, node.p);
      node.pooled = node.op == kCbr && (e[13] & kPooled) != 0;
      auto known = [&](int32_t id) {
        if (id < 0 || static_cast<size_t>(id) >= net->buffers.size()) throw std::runtime_error("plan: unknown buffer");
        return net->buffers[id].perSample;
      };
      int64_t perSample = 0;
      switch (node.op) {
        case kCbr:
          if (known(node.in) != node.h * node.w * node.cin) throw std::runtime_error("plan: cbr input size");
          param(node.p[0], 9 * node.cin * node.cout);
          for (int q = 1; q < 5; q++) param(node.p[q], node.cout);
          perSample = node.pooled ? (node.h / 2) * (node.w / 2) * node.cout : node.h * node.w * node.cout;
          if (perSample == 0) throw std::runtime_error("plan: pooling an input smaller than 2x2");
          break;
        case kAdd:
          if (known(node.in) != known(node.in2)) throw std::runtime_error("plan: add sizes differ");
          perSample = known(node.in);
          break;
        case kGlobalMax:
          if (known(node.in) != node.h * node.w * node.cin) throw std::runtime_error("plan: global max input size");
          perSample = node.cin;
          break;
        case kDense:
          if (known(node.in) != node.cin) throw std::runtime_error("plan: dense input size");
          param(node.p[0], node.cin * node.cout);
          if (node.p[1] >= 0) param(node.p[1], node.cout);
          perSample = node.cout;
          break;
        default:
          throw std::runtime_error("plan: unknown op");
      }
      if (node.out != static_cast<int32_t>(net->buffers.size())) throw std::runtime_error("plan: outputs in order");
      net->buffers.emplace_back();
      net->buffers.back().perSample = perSample;
      net->nodes.push_back(std::move(node));
    }
    if (net->nodes.back().op != kDense || net->buffers.back().perSample != net->classes) {
      throw std::runtime_error("plan: the last node must be a dense layer to the classes");
    }
    net->timings.assign(2 * net->nodes.size() + 2, 0.0);
    Net* raw = net.release();
    CHECK(napi_create_external(
        env, raw, [](napi_env, void* data, void*) { delete static_cast<Net*>(data); }, nullptr, &result));
  });
  return result;
}

// netSetParam(handle, index, Float32Array) / netGetParam(handle, index, Float32Array)
napi_value NetParam(napi_env env, napi_callback_info info, bool set) {
  return guarded(env, [&] {
    napi_value a[3];
    args(env, info, a);
    Net* net = netOf(env, a[0]);
    int64_t i = int64Of(env, a[1]);
    if (i < 0 || static_cast<size_t>(i) >= net->params.size()) throw std::runtime_error("parameter index");
    auto& p = net->params[i];
    size_t length;
    float* v = typed<float>(env, a[2], napi_float32_array, &length);
    if (length != p.size()) throw std::runtime_error("parameter size");
    if (set) std::copy(v, v + length, p.begin());
    else std::copy(p.begin(), p.end(), v);
  });
}
napi_value NetSetParam(napi_env env, napi_callback_info info) { return NetParam(env, info, true); }
napi_value NetGetParam(napi_env env, napi_callback_info info) { return NetParam(env, info, false); }

// netResetMomentum(handle): fresh momentum buffers (each training call starts from zero).
napi_value NetResetMomentum(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    napi_value a[1];
    args(env, info, a);
    for (auto& v : netOf(env, a[0])->velocity) std::fill(v.begin(), v.end(), 0.0f);
  });
}

void checkBatch(Net& net, napi_env env, napi_value images, napi_value order, int64_t n, const float** x,
                const int32_t** idx) {
  size_t imageLength, orderLength;
  *x = typed<float>(env, images, napi_float32_array, &imageLength);
  *idx = typed<int32_t>(env, order, napi_int32_array, &orderLength);
  const int64_t count = static_cast<int64_t>(imageLength) / net.buffers[0].perSample;
  if (n < 1 || static_cast<int64_t>(orderLength) < n) throw std::runtime_error("batch: order shorter than n");
  for (int64_t i = 0; i < n; i++) {
    if ((*idx)[i] < 0 || (*idx)[i] >= count) throw std::runtime_error("batch: image index out of range");
  }
}

// netTrainStep(handle, images, labels Int32Array, order Int32Array, n, lr, momentum,
// weightDecay) -> loss: one SGD step on images order[0, n).
napi_value NetTrainStep(napi_env env, napi_callback_info info) {
  napi_value result = nullptr;
  guarded(env, [&] {
    napi_value a[8];
    args(env, info, a);
    Net& net = *netOf(env, a[0]);
    const int64_t n = int64Of(env, a[4]);
    const float* images;
    const int32_t* order;
    checkBatch(net, env, a[1], a[3], n, &images, &order);
    size_t labelLength;
    const int32_t* labels = typed<int32_t>(env, a[2], napi_int32_array, &labelLength);
    for (int64_t i = 0; i < n; i++) {
      if (static_cast<size_t>(order[i]) >= labelLength) throw std::runtime_error("batch: label index out of range");
    }
    ensureCapacity(net, n);
    gather(net, images, labels, order, n);
    for (int64_t i = 0; i < n; i++) {
      if (net.labels[i] < 0 || net.labels[i] >= net.classes) throw std::runtime_error("batch: label out of range");
    }
    forward(net, n, true);
    for (auto& b : net.buffers) b.hasGrad = false;
    const size_t nodes = net.nodes.size();
    double t0 = nowMs();
    double loss = lossAndGrad(net, n);
    net.timings[2 * nodes] += nowMs() - t0;
    backward(net, n);
    t0 = nowMs();
    sgdStep(net, static_cast<float>(doubleOf(env, a[5])), static_cast<float>(doubleOf(env, a[6])),
            static_cast<float>(doubleOf(env, a[7])));
    net.timings[2 * nodes + 1] += nowMs() - t0;
    CHECK(napi_create_double(env, loss, &result));
  });
  return result;
}

// netPredict(handle, images, from, n, logits Float32Array[n * classes]): inference-mode
// logits (BatchNorm running statistics, times the logit scale) of images [from, from + n).
napi_value NetPredict(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    napi_value a[5];
    args(env, info, a);
    Net& net = *netOf(env, a[0]);
    const int64_t from = int64Of(env, a[2]), n = int64Of(env, a[3]);
    size_t imageLength;
    const float* images = typed<float>(env, a[1], napi_float32_array, &imageLength);
    const int64_t size = net.buffers[0].perSample;
    if (n < 1 || from < 0 || (from + n) * size > static_cast<int64_t>(imageLength)) {
      throw std::runtime_error("predict: range outside the images");
    }
    float* out = floats(env, a[4], n * net.classes);
    ensureCapacity(net, n);
    std::memcpy(net.buffers[0].data.data(), images + from * size, n * size * sizeof(float));
    forward(net, n, false);
    const float* logits = net.buffers[net.nodes.back().out].data.data();
    for (int64_t i = 0; i < n * net.classes; i++) out[i] = logits[i] * net.logitScale;
  });
}

// netRelease(handle): frees the activations and cached primitives now instead of at the
// handle's garbage collection (a ResNet-9 at batch 512 holds hundreds of MB); the net stays
// usable and reallocates on its next step.
napi_value NetRelease(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    napi_value a[1];
    args(env, info, a);
    Net& net = *netOf(env, a[0]);
    for (auto& b : net.buffers) {
      std::vector<float>().swap(b.data);
      std::vector<float>().swap(b.grad);
    }
    for (auto& node : net.nodes) {
      std::vector<float>().swap(node.z);
      std::vector<uint8_t>().swap(node.argmax);
      node.conv.clear();
      node.weightsGrad.clear();
      std::vector<float>().swap(node.dkParts);
    }
    std::vector<float>().swap(net.scratch);
    net.capacity = 0;
  });
}

// netTimings(handle, Float64Array[2 * nodes + 2]): milliseconds spent per node forward,
// per node backward, in the loss and in SGD since the last call (then reset).
napi_value NetTimings(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    napi_value a[2];
    args(env, info, a);
    Net& net = *netOf(env, a[0]);
    size_t length;
    double* out = typed<double>(env, a[1], napi_float64_array, &length);
    if (length != net.timings.size()) throw std::runtime_error("timings: wrong length");
    std::copy(net.timings.begin(), net.timings.end(), out);
    std::fill(net.timings.begin(), net.timings.end(), 0.0);
  });
}

void define(napi_env env, napi_value exports, const char* name, napi_callback fn) {
  napi_value f;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, fn, nullptr, &f);
  napi_set_named_property(env, exports, name, f);
}

}  // namespace

void registerNet(napi_env env, napi_value exports) {
  define(env, exports, "netCreate", NetCreate);
  define(env, exports, "netSetParam", NetSetParam);
  define(env, exports, "netGetParam", NetGetParam);
  define(env, exports, "netResetMomentum", NetResetMomentum);
  define(env, exports, "netTrainStep", NetTrainStep);
  define(env, exports, "netPredict", NetPredict);
  define(env, exports, "netTimings", NetTimings);
  define(env, exports, "netRelease", NetRelease);
}

}  // namespace permanence
