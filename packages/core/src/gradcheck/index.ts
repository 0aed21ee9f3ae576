/** Gradient checking utilities (float64 finite differences). */
export {
  compareGradients,
  numericalGradient,
  numericalGradientArray,
  relativeError,
  type FiniteDifferenceOptions,
  type GradientReport,
} from './finite-differences.js';
export { gradcheck, GradcheckError, type GradcheckOptions } from './gradcheck.js';
