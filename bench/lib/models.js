// Model-shaped parameter sets: where one kernel call per group meets many small tensors.

/** torchvision's resnet18 (1000 classes): its 62 parameter tensors in `parameters()` order, 11,689,512 floats. */
export function resnet18() {
  const sizes = [64 * 3 * 7 * 7, 64, 64]; // conv1, bn1
  const block = (inC, outC, downsample) => {
    sizes.push(outC * inC * 9, outC, outC, outC * outC * 9, outC, outC);
    if (downsample) sizes.push(outC * inC, outC, outC);
  };
  let inC = 64;
  for (const outC of [64, 128, 256, 512]) {
    block(inC, outC, inC !== outC);
    block(outC, outC, false);
    inC = outC;
  }
  sizes.push(512 * 1000, 1000); // fc
  return sizes;
}

/**
 * A GPT-style stack: token and position embeddings, `layers` blocks of (LayerNorm, fused QKV, output
 * projection, LayerNorm, 4× MLP), each weight with its bias, and a final LayerNorm. Many biases and
 * norms of `width` floats beside a few large matrices.
 */
export function transformer({ layers = 12, width = 128, vocab = 8192, context = 256 } = {}) {
  const sizes = [vocab * width, context * width];
  for (let l = 0; l < layers; l++) {
    sizes.push(width, width); // ln1
    sizes.push(width * 3 * width, 3 * width); // qkv
    sizes.push(width * width, width); // attention output
    sizes.push(width, width); // ln2
    sizes.push(width * 4 * width, 4 * width, 4 * width * width, width); // mlp
  }
  sizes.push(width, width); // final ln
  return sizes;
}
