//! binary (with broadcasting and strided views), copy_strided and axpy against their f64
//! references at every SIMD level: each of the binary fast paths (same shape, row broadcast,
//! scalar, column broadcast) and the general strided loop, in and out of place.

mod common;

use common::{assert_close, each_level, Rng, LENGTHS};
use dlp_kernels::{
    axpy, axpy_reference, binary, binary_into, binary_reference, copy_strided, copy_strided_reference, BinaryOp, Input,
};

/// A view of `shape`: each operand's storage length and strides.
struct View {
    name: &'static str,
    shape: Vec<usize>,
    a: (usize, Vec<usize>),
    b: (usize, Vec<usize>),
}

fn row_major(shape: &[usize]) -> (usize, Vec<usize>) {
    let mut strides = vec![0; shape.len()];
    let mut s = 1;
    for d in (0..shape.len()).rev() {
        strides[d] = s;
        s *= shape[d];
    }
    (s, strides)
}

fn views() -> Vec<View> {
    let v = |name, shape: &[usize], a: (usize, Vec<usize>), b: (usize, Vec<usize>)| View {
        name,
        shape: shape.to_vec(),
        a,
        b,
    };
    let mut views = Vec::new();
    for &len in LENGTHS {
        views.push(v("same shape", &[len], row_major(&[len]), row_major(&[len])));
        views.push(v("[3,len] op [len]", &[3, len], row_major(&[3, len]), (len, vec![0, 1])));
        views.push(v("[len] op scalar", &[len], row_major(&[len]), (1, vec![0])));
        views.push(v("scalar op [2,len]", &[2, len], (1, vec![0, 0]), row_major(&[2, len])));
        views.push(v("[len,3] op [len,1]", &[len, 3], row_major(&[len, 3]), (len, vec![1, 0])));
    }
    views.push(v("same shape [3,5,7]", &[3, 5, 7], row_major(&[3, 5, 7]), row_major(&[3, 5, 7])));
    views.push(v("row broadcast [128,1024]", &[128, 1024], row_major(&[128, 1024]), (1024, vec![0, 1])));
    views.push(v("transposed a [9,5]", &[9, 5], (45, vec![1, 9]), row_major(&[9, 5])));
    views.push(v("rank 4 broadcast and reversed", &[2, 3, 4, 5], (15, vec![0, 5, 0, 1]), (120, vec![1, 2, 6, 24])));
    views.push(v("[6,1] op [1,7]", &[6, 7], (6, vec![1, 0]), (7, vec![0, 1])));
    views.push(v("scalar []", &[], (1, vec![]), (1, vec![])));
    views.push(v("[1,1,1]", &[1, 1, 1], (1, vec![0, 5, 9]), (1, vec![1, 1, 1])));
    views.push(v("empty [0,3]", &[0, 3], (0, vec![3, 1]), (3, vec![0, 1])));
    views
}

/// Operands for op: divisors kept away from 0.
fn operands(op: BinaryOp, rng: &mut Rng, view: &View) -> (Vec<f32>, Vec<f32>) {
    let a = rng.scaled(view.a.0, 3.0);
    let b = rng.scaled(view.b.0, 3.0);
    let b = if op == BinaryOp::Div { b.iter().map(|v| v.signum() * (0.5 + v.abs())).collect() } else { b };
    (a, b)
}

#[test]
fn binary_matches_the_reference_on_every_path() {
    each_level(|level| {
        for (k, view) in views().iter().enumerate() {
            for op in BinaryOp::ALL {
                let (a, b) = operands(op, &mut Rng(700 + k as u64), view);
                let want = binary_reference(op, &view.shape, &a, &view.a.1, &b, &view.b.1).unwrap();
                let mut out = vec![f32::NAN; want.len()];
                binary(op, &view.shape, &a, &view.a.1, &b, &view.b.1, &mut out).unwrap();
                // One rounding of a op b: add/sub are judged against |a| + |b| (they cancel).
                let magnitude = binary_reference(
                    BinaryOp::Add,
                    &view.shape,
                    &a.iter().map(|v| v.abs()).collect::<Vec<_>>(),
                    &view.a.1,
                    &b.iter().map(|v| v.abs()).collect::<Vec<_>>(),
                    &view.b.1,
                )
                .unwrap();
                let scale =
                    |i: usize| if matches!(op, BinaryOp::Add | BinaryOp::Sub) { magnitude[i] } else { want[i].abs() };
                assert_close(
                    &format!("{level:?} {} {} {:?}", op.name(), view.name, view.shape),
                    &out,
                    &want,
                    scale,
                    2e-7,
                );
            }
        }
    });
}

#[test]
fn binary_runs_in_place_on_either_operand() {
    each_level(|level| {
        for &len in LENGTHS {
            for op in BinaryOp::ALL {
                let mut rng = Rng(800 + len as u64);
                let (m, row) =
                    (rng.scaled(3 * len, 2.0), rng.scaled(len, 1.0).iter().map(|v| v + 2.0).collect::<Vec<_>>());
                let (shape, dense) = ([3, len], row_major(&[3, len]).1);
                let mut want = vec![0.0; 3 * len];
                binary(op, &shape, &m, &dense, &row, &[0, 1], &mut want).unwrap();
                let mut into_a = m.clone();
                binary_into(op, &shape, Input::Out, &dense, Input::Slice(&row), &[0, 1], &mut into_a).unwrap();
                assert_eq!(into_a, want, "{level:?} {} len={len}: out = a", op.name());
                binary(op, &shape, &row, &[0, 1], &m, &dense, &mut want).unwrap();
                let mut into_b = m.clone();
                binary_into(op, &shape, Input::Slice(&row), &[0, 1], Input::Out, &dense, &mut into_b).unwrap();
                assert_eq!(into_b, want, "{level:?} {} len={len}: out = b", op.name());
                let mut square = m.clone();
                binary_into(op, &shape, Input::Out, &dense, Input::Out, &dense, &mut square).unwrap();
                binary(op, &shape, &m, &dense, &m, &dense, &mut want).unwrap();
                assert_eq!(square, want, "{level:?} {} len={len}: out = a = b", op.name());
            }
        }
    });
}

#[test]
fn copy_strided_reproduces_every_view() {
    for (k, view) in views().iter().enumerate() {
        let x = Rng(900 + k as u64).vec(view.a.0);
        let want = copy_strided_reference(&view.shape, &x, &view.a.1).unwrap();
        let mut out = vec![f32::NAN; want.len()];
        copy_strided(&view.shape, &x, &view.a.1, &mut out).unwrap();
        let got: Vec<f64> = out.iter().map(|&v| v as f64).collect();
        assert_eq!(got, want, "{} {:?}", view.name, view.shape);
    }
}

#[test]
fn axpy_matches_the_reference() {
    each_level(|level| {
        for &len in LENGTHS {
            let mut rng = Rng(950 + len as u64);
            let (x, y) = (rng.vec(len), rng.vec(len));
            let want = axpy_reference(&x, &y, -0.3).unwrap();
            let mut got = y.clone();
            axpy(&x, &mut got, -0.3).unwrap();
            assert_close(
                &format!("{level:?} axpy len={len}"),
                &got,
                &want,
                |i| y[i].abs() as f64 + 0.3 * x[i].abs() as f64,
                2e-7,
            );
        }
    });
}

#[test]
fn bad_views_name_the_argument() {
    let err = |r: Result<(), dlp_kernels::KernelError>| r.unwrap_err().message().to_string();
    let (a, b) = ([0.0f32; 6], [0.0f32; 3]);
    assert_eq!(
        err(binary(BinaryOp::Add, &[2, 3], &a, &[3, 1], &b, &[0, 1], &mut [0.0; 5])),
        "binary: out should hold 6 elements (shape [2,3]) but holds 5"
    );
    assert_eq!(
        err(binary(BinaryOp::Add, &[2, 3], &a, &[3, 1], &b, &[1], &mut [0.0; 6])),
        "binary: bStrides should hold 2 entries (one per axis of shape [2,3]) but holds 1"
    );
    assert_eq!(
        err(binary(BinaryOp::Add, &[2, 3], &a, &[3, 1], &b[..2], &[0, 1], &mut [0.0; 6])),
        "binary: b should hold at least 3 elements (shape [2,3] read through bStrides [0,1]) but holds 2"
    );
    let mut m = [0.0f32; 4];
    assert_eq!(
        err(binary_into(BinaryOp::Mul, &[2, 2], Input::Out, &[1, 2], Input::Slice(&[1.0]), &[0, 0], &mut m)),
        "binary: out is a, which needs aStrides row-major for shape [2,2] but they are [1,2]"
    );
    assert_eq!(
        err(copy_strided(&[2, 3], &a[..5], &[1, 2], &mut [0.0; 6])),
        "copy: x should hold at least 6 elements (shape [2,3] read through strides [1,2]) but holds 5"
    );
    assert_eq!(err(axpy(&[0.0; 4], &mut [0.0; 3], 1.0)), "axpy: y should hold 4 elements (as many as x) but holds 3");
    assert_eq!(
        BinaryOp::parse("binary", "pow").unwrap_err().message(),
        "binary: op 'pow' is not one of add, sub, mul, div"
    );
}
