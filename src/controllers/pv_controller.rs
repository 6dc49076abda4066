//! The PersistentVolume controller and an external provisioner (kk:pkg/controller/volume/persistentvolume):
//! dynamic provisioning of claims through their StorageClass, and binding.

use crate::api::{ClaimPhase, Effects, Event, PvcId, Store, Write};
use crate::engine::SimTime;
use crate::scenario::ProvisionerSpec;
use rand_chacha::ChaCha8Rng;
use std::collections::{BTreeMap, BTreeSet};

/// The provisioner finished creating the volume of a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Provisioned(pub PvcId);

/// Claims being provisioned, so a claim is provisioned once.
#[derive(Debug, Default)]
pub struct PvController {
    in_flight: BTreeSet<PvcId>,
}

impl PvController {
    /// `syncClaim` for an unbound claim with a StorageClass: start provisioning (the CSI external-provisioner's
    /// `ExternalProvisioning` / `Provisioning` events) and finish after the class's provisioning time.
    pub fn sync(
        &mut self,
        store: &Store,
        id: PvcId,
        classes: &BTreeMap<String, ProvisionerSpec>,
        rng: &mut ChaCha8Rng,
        now: SimTime,
    ) -> Effects<Provisioned> {
        let mut fx = Effects::default();
        let claim = &store.claims[id.index()];
        if !claim.meta.exists()
            || claim.phase != ClaimPhase::Pending
            || self.in_flight.contains(&id)
        {
            return fx;
        }
        let Some(class) = claim.storage_class.as_deref() else {
            return fx;
        };
        let spec = classes
            .get(class)
            .cloned()
            .unwrap_or_else(default_provisioner);
        let (ns, name) = (&claim.meta.namespace, &claim.meta.name);
        fx.event(Event::new(
            now,
            "PersistentVolumeClaim",
            ns,
            name,
            "Provisioning",
            format!("External provisioner is provisioning volume for claim \"{ns}/{name}\""),
        ));
        self.in_flight.insert(id);
        fx.timer(now.plus_ms(spec.provision.sample(rng)), Provisioned(id));
        fx
    }

    /// The provisioner created the volume: the PV controller binds it to the claim.
    pub fn on_provisioned(
        &mut self,
        store: &Store,
        id: PvcId,
        classes: &BTreeMap<String, ProvisionerSpec>,
        now: SimTime,
    ) -> Effects<Provisioned> {
        let mut fx = Effects::default();
        self.in_flight.remove(&id);
        let claim = &store.claims[id.index()];
        if !claim.meta.exists() {
            return fx;
        }
        let spec = claim
            .storage_class
            .as_deref()
            .and_then(|c| classes.get(c))
            .cloned()
            .unwrap_or_else(default_provisioner);
        let capacity_bytes = provisioned_size(claim.request_bytes, &spec);
        // Dynamically provisioned volumes are named `pvc-<claim uid>` (external-provisioner `makeVolumeName`).
        let name = format!("pvc-{}", claim.meta.uid);
        let (ns, cname) = (&claim.meta.namespace, &claim.meta.name);
        fx.event(Event::new(
            now,
            "PersistentVolumeClaim",
            ns,
            cname,
            "ProvisioningSucceeded",
            format!("Successfully provisioned volume {name}"),
        ));
        fx.write(Write::ProvisionVolume {
            claim: id,
            name,
            capacity_bytes,
        });
        fx
    }
}

/// A provisioner with no scenario entry: 1 s, exact sizes, 1 s attach and detach.
pub fn default_provisioner() -> ProvisionerSpec {
    use crate::scenario::Dist;
    ProvisionerSpec {
        provision: Dist::Const(1_000),
        min_size_bytes: 0,
        size_step_bytes: 0,
        attach: Dist::Const(1_000),
        detach: Dist::Const(1_000),
    }
}

/// The size a provisioner gives a request: at least its minimum, rounded up to its step.
pub fn provisioned_size(request_bytes: u64, spec: &ProvisionerSpec) -> u64 {
    let size = request_bytes.max(spec.min_size_bytes);
    match spec.size_step_bytes {
        0 => size,
        step => size.div_ceil(step) * step,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Dist;

    const GI: u64 = 1 << 30;

    fn cbs() -> ProvisionerSpec {
        ProvisionerSpec {
            provision: Dist::Const(0),
            min_size_bytes: 50 * GI,
            size_step_bytes: 10 * GI,
            attach: Dist::Const(0),
            detach: Dist::Const(0),
        }
    }

    #[test]
    fn a_cloud_disk_has_a_minimum_size_and_a_size_step() {
        // The MariaDB article: 10Gi asked gave 50Gi, 51Gi asked gave 60Gi.
        assert_eq!(provisioned_size(10 * GI, &cbs()), 50 * GI);
        assert_eq!(provisioned_size(51 * GI, &cbs()), 60 * GI);
        assert_eq!(provisioned_size(60 * GI, &cbs()), 60 * GI);
    }
}
