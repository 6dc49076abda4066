//! Test inputs: the articles' manifests (MariaDB on a cloud disk, a ZooKeeper ensemble), inlined.

use super::{parse_str, Loaded};

/// cbs-pvc.yaml from article 001.
pub(super) const CBS_PVC: &str = "apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: cbs-pvc1
spec:
  accessModes:
    - ReadWriteOnce
  volumeMode: Filesystem
  resources:
    requests:
      storage: 10Gi
  storageClassName: cbs
";

/// mariadb-deployment.yaml from article 001.
pub(super) const MARIADB_DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: mariadb
  labels:
    app: mariadb
spec:
  selector:
    matchLabels:
      app: mariadb
  replicas: 1
  template:
    metadata:
      labels:
        app: mariadb
    spec:
      securityContext:
        fsGroup: 27
      containers:
      - name: mariadb-pod
        image: centos/mariadb
        ports:
        - containerPort: 3306
          protocol: TCP
        env:
        - name: MYSQL_ROOT_PASSWORD
          value: \"123456\"
        volumeMounts:
        - name: cbs-volume1
          mountPath:  /var/lib/mysql
          readOnly: false
      volumes:
      - name: cbs-volume1
        persistentVolumeClaim:
          claimName: cbs-pvc1
";

/// mariadb-service.yaml from article 001.
pub(super) const MARIADB_SERVICE: &str = "apiVersion: v1
kind: Service
metadata:
  name: mariadb
  annotations:
    service.kubernetes.io/qcloud-loadbalancer-internal-subnetid: <SUBNET-ID>
  labels:
    app: mariadb
spec:
  type: LoadBalancer
  selector:
    app: mariadb
  ports:
  - port: 3306
    targetPort: 3306
";

/// The ZooKeeper manifests of article 003 (Service, ConfigMap, PDB), as published.
pub(super) const ZK_HEAD: &str = "apiVersion: v1
kind: Service
metadata:
  name: zk-headless
  labels:
    app: zk-headless
spec:
  ports:
  - port: 2888
    name: server
  - port: 3888
    name: leader-election
  clusterIP: None
  selector:
    app: zk
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: zk-config
data:
  ensemble: \"zk-0;zk-1;zk-2\"
  jvm.heap: \"2G\"
  tick: \"2000\"
---
apiVersion: policy/v1beta1
kind: PodDisruptionBudget
metadata:
  name: zk-budget
spec:
  selector:
    matchLabels:
      app: zk
  minAvailable: 2
";

/// The ZooKeeper StatefulSet of article 003 with its apiVersion left as a parameter (the article
/// uses apps/v1beta1, which has no required selector).
pub(super) fn zk_statefulset(api_version: &str, selector: &str) -> String {
    format!(
        "apiVersion: {api_version}
kind: StatefulSet
metadata:
  name: zk
spec:
  serviceName: zk-headless
  replicas: 3{selector}
  template:
    metadata:
      labels:
        app: zk
      annotations:
        pod.alpha.kubernetes.io/initialized: \"true\"

    spec:
      containers:
      - name: k8szk
        imagePullPolicy: Always
        image: gcr.io/google_samples/k8szk:v1
        resources:
          requests:
            memory: \"4Gi\"
            cpu: \"1\"
        ports:
        - containerPort: 2181
          name: client
        - containerPort: 2888
          name: server
        - containerPort: 3888
          name: leader-election
        readinessProbe:
          exec:
            command:
            - \"zkOk.sh\"
          initialDelaySeconds: 15
          timeoutSeconds: 5
        volumeMounts:
        - name: datadir
          mountPath: /var/lib/zookeeper
      securityContext:
        runAsUser: 1000
        fsGroup: 1000
  volumeClaimTemplates:
  - metadata:
      name: datadir
    spec:
      accessModes: [ \"ReadWriteOnce\" ]
      resources:
        requests:
          storage: 20Gi
"
    )
}

pub(super) const ZK_SELECTOR: &str = "\n  selector:\n    matchLabels:\n      app: zk";

pub(super) fn mariadb() -> Vec<Loaded> {
    let text = format!("{CBS_PVC}---\n{MARIADB_DEPLOYMENT}---\n{MARIADB_SERVICE}---\n");
    parse_str(&text, "mariadb.yaml").expect("the article's manifests load")
}

pub(super) fn err(text: &str, source: &str) -> String {
    parse_str(text, source)
        .expect_err("should be rejected")
        .to_string()
}
