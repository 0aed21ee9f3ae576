// Deliberately wrong: the packed-install test expects tsc to reject this file (TS2345), which
// shows the installed declarations are what is being checked, not an `any`.
import { Tensor } from '@dlp/core';

export const wrong = Tensor.from([1, 2, 3], 'three');
