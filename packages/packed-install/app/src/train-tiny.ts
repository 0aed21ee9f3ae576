// Trains a tiny classifier on each backend with the installed @dlp/core and prints one JSON
// line per backend: the packed-install test checks the losses went down. Compiled by tsc first,
// so it is type-checked strictly against the package's declarations too.
import { BACKEND_NAMES, getBackend, nn, optim, Rng, Tensor, type BackendName } from '@dlp/core';

const wanted = (process.argv[2]?.split(',') ?? BACKEND_NAMES) as BackendName[];
for (const name of wanted) {
  const backend = getBackend(name);
  const rng = new Rng(7);
  nn.manualSeed(7);
  // Two separable blobs of 64 points in 8 dimensions.
  const rows = 64;
  const x = new Float32Array(rows * 8);
  const labels = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    labels[i] = i % 2;
    for (let j = 0; j < 8; j++) x[i * 8 + j] = rng.normal() * 0.5 + (i % 2 === 0 ? 1 : -1);
  }
  const input = Tensor.from(x, [rows, 8], { backend });
  const model = new nn.Sequential(new nn.Linear(8, 16, { backend }), new nn.ReLU(), new nn.Linear(16, 2, { backend }));
  const opt = new optim.Adam(model.parameters(), { lr: 1e-2 });
  const losses: number[] = [];
  for (let step = 0; step < 30; step++) {
    const loss = nn.functional.crossEntropy(model.forward(input), labels);
    losses.push(loss.item());
    opt.zeroGrad();
    loss.backward();
    opt.step();
  }
  console.log(JSON.stringify({ backend: backend.name, detail: backend.describe(), first: losses[0], last: losses.at(-1) }));
}
