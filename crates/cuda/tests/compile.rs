//! Every CUDA source compiles with NVRTC, to PTX for compute_80 and compute_90 and to cubins
//! for sm_80 and sm_90 (which runs ptxas as well), and defines the kernels it is said to: no
//! GPU needed, only NVRTC (the `nvidia-cuda-nvrtc` wheel; see scripts/setup.sh --test).
//!
//! Where NVRTC is not found this test says "skipped: NVRTC not found" and passes, unless
//! DLP_REQUIRE_NVRTC=1 (as CI sets it), where that fails it.

use dlp_cuda::compile::{nvrtc_version, to_cubin, to_ptx};
use dlp_cuda::libs::nvrtc_present;
use dlp_cuda::sources::SOURCES;

fn nvrtc_or_skip() -> bool {
    match nvrtc_present() {
        Ok(()) => true,
        Err(why) if std::env::var_os("DLP_REQUIRE_NVRTC").is_some_and(|v| v == "1") => panic!("DLP_REQUIRE_NVRTC=1 but {why}"),
        Err(why) => {
            eprintln!("skipped: NVRTC not found ({why})");
            false
        }
    }
}

#[test]
fn every_source_compiles_to_ptx_for_compute_80_and_90_with_its_kernels() {
    if !nvrtc_or_skip() {
        return;
    }
    eprintln!("NVRTC {:?}", nvrtc_version().unwrap());
    for arch in ["compute_80", "compute_90"] {
        for source in SOURCES {
            let ptx = to_ptx(source, arch).unwrap_or_else(|e| panic!("{}: {e}", source.file));
            let target = format!(".target sm_{}", &arch["compute_".len()..]);
            assert!(ptx.contains(&target), "{} for {arch}: no `{target}` in the PTX", source.file);
            for kernel in source.kernels {
                assert!(ptx.contains(&format!(".entry {kernel}(")), "{} for {arch}: no kernel {kernel} in the PTX", source.file);
            }
        }
    }
}

#[test]
fn every_source_compiles_to_a_cubin_for_sm_80_and_sm_90() {
    if !nvrtc_or_skip() {
        return;
    }
    for arch in ["sm_80", "sm_90"] {
        for source in SOURCES {
            let cubin = to_cubin(source, arch).unwrap_or_else(|e| panic!("{}: {e}", source.file));
            // An ELF file, each kernel's name in its symbol table.
            assert_eq!(&cubin[..4], b"\x7fELF", "{} for {arch}", source.file);
            for kernel in source.kernels {
                assert!(cubin.windows(kernel.len()).any(|w| w == kernel.as_bytes()), "{} for {arch}: no {kernel}", source.file);
            }
        }
    }
}

#[test]
fn a_source_that_does_not_compile_is_reported_with_nvrtcs_log() {
    if !nvrtc_or_skip() {
        return;
    }
    let broken = dlp_cuda::sources::KernelSource { file: "broken.cu", code: "extern \"C\" __global__ void k() { undeclared(); }", kernels: &["k"] };
    let message = to_ptx(&broken, "compute_80").unwrap_err().to_string();
    assert!(message.contains("NVRTC could not compile broken.cu for compute_80"), "{message}");
    assert!(message.contains("undeclared"), "the log names the error: {message}");
}
