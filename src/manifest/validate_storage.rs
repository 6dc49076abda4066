//! Validation of PersistentVolumeClaims, PersistentVolumes and StorageClasses.
//!
//! After kk:pkg/apis/core/validation/validation.go `ValidatePersistentVolumeClaimSpec`,
//! `ValidatePersistentVolume`, and kk:pkg/apis/storage/validation/validation.go.

use super::error::{quote, FieldError};
use super::quantity::parse_milli_wide;
use super::validate::{one_of, quantity_detail};
use k8s_openapi::api::core::v1::{
    PersistentVolume, PersistentVolumeClaim, PersistentVolumeClaimSpec,
};
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

const ACCESS_MODES: &[&str] = &[
    "ReadOnlyMany",
    "ReadWriteMany",
    "ReadWriteOnce",
    "ReadWriteOncePod",
];
const VOLUME_MODES: &[&str] = &["Block", "Filesystem"];

/// A PersistentVolumeClaim.
pub(crate) fn claim(c: &PersistentVolumeClaim, errs: &mut Vec<FieldError>) {
    match c.spec.as_ref() {
        Some(spec) => claim_spec(spec, "spec", errs),
        None => errs.push(FieldError::required(
            "spec.accessModes",
            "at least 1 access mode is required",
        )),
    }
}

/// A claim's spec at `path` (a PVC's `spec`, or a StatefulSet's `spec.volumeClaimTemplates[0].spec`).
pub(crate) fn claim_spec(spec: &PersistentVolumeClaimSpec, path: &str, errs: &mut Vec<FieldError>) {
    access_modes(
        spec.access_modes.as_deref(),
        path,
        "at least 1 access mode is required",
        errs,
    );
    let requests = spec.resources.as_ref().and_then(|r| r.requests.as_ref());
    match requests.and_then(|r| r.get("storage")) {
        Some(q) => positive_quantity(q, &format!("{path}.resources[storage]"), errs),
        None => errs.push(FieldError::required(
            format!("{path}.resources[storage]"),
            "",
        )),
    }
    one_of(
        spec.volume_mode.as_deref(),
        VOLUME_MODES,
        &format!("{path}.volumeMode"),
        errs,
    );
}

/// A PersistentVolume: access modes, a storage capacity, a known reclaim policy.
pub(crate) fn persistent_volume(v: &PersistentVolume, errs: &mut Vec<FieldError>) {
    let Some(spec) = v.spec.as_ref() else {
        return errs.push(FieldError::required("spec.capacity", ""));
    };
    access_modes(
        spec.access_modes.as_deref(),
        "spec",
        "must specify at least 1 access mode",
        errs,
    );
    let capacity = spec.capacity.as_ref().filter(|c| !c.is_empty());
    match capacity {
        None => errs.push(FieldError::required("spec.capacity", "")),
        Some(c) if !c.contains_key("storage") || c.len() > 1 => {
            let keys: Vec<&str> = c.keys().map(String::as_str).collect();
            errs.push(FieldError::not_supported(
                "spec.capacity",
                &keys.join(", "),
                &["storage"],
            ));
        }
        Some(c) => c
            .iter()
            .for_each(|(k, q)| positive_quantity(q, &format!("spec.capacity[{k}]"), errs)),
    }
    let reclaim = spec.persistent_volume_reclaim_policy.as_deref();
    one_of(
        reclaim,
        &["Delete", "Recycle", "Retain"],
        "spec.persistentVolumeReclaimPolicy",
        errs,
    );
    one_of(
        spec.volume_mode.as_deref(),
        VOLUME_MODES,
        "spec.volumeMode",
        errs,
    );
}

/// kk:pkg/apis/storage/validation `ValidateStorageClass`.
pub(crate) fn storage_class(c: &StorageClass, errs: &mut Vec<FieldError>) {
    if c.provisioner.is_empty() {
        errs.push(FieldError::required("provisioner", ""));
    }
    one_of(
        c.reclaim_policy.as_deref(),
        &["Delete", "Retain"],
        "reclaimPolicy",
        errs,
    );
    let binding = c.volume_binding_mode.as_deref();
    one_of(
        binding,
        &["Immediate", "WaitForFirstConsumer"],
        "volumeBindingMode",
        errs,
    );
}

fn access_modes(modes: Option<&[String]>, path: &str, missing: &str, errs: &mut Vec<FieldError>) {
    let modes = modes.unwrap_or_default();
    if modes.is_empty() {
        errs.push(FieldError::required(format!("{path}.accessModes"), missing));
    }
    for mode in modes {
        one_of(
            Some(mode),
            ACCESS_MODES,
            &format!("{path}.accessModes"),
            errs,
        );
    }
}

/// `ValidatePositiveQuantityValue`.
fn positive_quantity(q: &Quantity, path: &str, errs: &mut Vec<FieldError>) {
    match parse_milli_wide(q) {
        Err(e) => errs.push(FieldError::invalid(path, quote(&q.0), quantity_detail(&e))),
        Ok(0) => errs.push(FieldError::invalid(
            path,
            quote(&q.0),
            "must be greater than zero",
        )),
        Ok(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim_errors(yaml: &str) -> Vec<String> {
        let spec: PersistentVolumeClaimSpec = serde_yaml_ng::from_str(yaml).unwrap();
        let mut errs = Vec::new();
        claim_spec(&spec, "spec", &mut errs);
        errs.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn a_claim_needs_access_modes_and_a_storage_request() {
        assert_eq!(
            claim_errors("storageClassName: cbs"),
            [
                "spec.accessModes: Required value: at least 1 access mode is required",
                "spec.resources[storage]: Required value"
            ]
        );
        assert_eq!(
            claim_errors("accessModes: [ReadWriteSometimes]\nresources: {requests: {storage: 0}}"),
            [
                "spec.accessModes: Unsupported value: \"ReadWriteSometimes\": supported values: \"ReadOnlyMany\", \"ReadWriteMany\", \"ReadWriteOnce\", \"ReadWriteOncePod\"",
                "spec.resources[storage]: Invalid value: \"0\": must be greater than zero",
            ]
        );
    }

    #[test]
    fn a_volume_needs_a_storage_capacity() {
        let v: PersistentVolume =
            serde_yaml_ng::from_str("spec: {accessModes: [ReadWriteOnce], capacity: {cpu: 1}}")
                .unwrap();
        let mut errs = Vec::new();
        persistent_volume(&v, &mut errs);
        assert_eq!(
            errs[0].to_string(),
            "spec.capacity: Unsupported value: \"cpu\": supported values: \"storage\""
        );
    }
}
