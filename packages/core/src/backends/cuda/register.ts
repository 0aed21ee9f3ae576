/** Registers the cuda backend (through the native addon): Node entry only. */
import { registerBackend } from '../registry.js';
import { createCudaBackend } from './availability.js';

registerBackend('cuda', { create: createCudaBackend });
