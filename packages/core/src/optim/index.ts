/**
 * optim: SGD and Adam with PyTorch's exact update rules, each a fused kernel per parameter.
 *
 * @example
 * const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
 * opt.zeroGrad(); loss.backward(); opt.step();
 * const saved = opt.stateDict();   // torch.optim's layout: { state: { 0: { step, exp_avg, … } }, param_groups }
 */

export { Optimizer, type OptimizerStateDict, type ParamGroup, type TensorValues } from './optimizer.js';
export { SGD, type SgdOptions } from './sgd.js';
export { Adam, type AdamOptions } from './adam.js';
