//! Any bytes as a policy file: the loader and every lint rule must return, never panic or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = std::path::PathBuf::from("fuzz.yaml");
    if let Ok(loaded) = handoff::policy::load::load_bytes(path, data.to_vec()) {
        let _ = handoff::lint::lint_policy(&loaded, &handoff::config::LintConfig::default());
        let _ = handoff::engine::eval::CompiledPolicy::new(&loaded.policy);
    }
});
