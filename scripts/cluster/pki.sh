#!/usr/bin/env bash
# Makes the cluster's certificates and kubeconfigs with openssl, once per cluster (as
# kubeadm lays them out): a cluster CA that signs every serving and client certificate,
# a front-proxy CA for the aggregation layer (metrics-server), and the key that signs
# ServiceAccount tokens. Each component authenticates as the user its certificate's CN
# names, in the groups its O names; RBAC's built-in roles do the rest.
set -euo pipefail
# shellcheck source=scripts/cluster/lib.sh
source "$(dirname "$0")/lib.sh"

pki=$CLUSTER_DIR/pki
[ -f "$pki/done" ] && exit 0
mkdir -p "$pki"
cd "$pki"

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null; }

ca() { # NAME CN
  key "$1"
  openssl req -x509 -new -key "$1.key" -subj "/CN=$2" -days 3650 -out "$1.crt" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
}

cert() { # NAME CA SUBJECT USAGE [SANS]
  key "$1"
  local ext="basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=$4"
  [ -n "${5:-}" ] && ext+=$'\n'"subjectAltName=$5"
  openssl req -new -key "$1.key" -subj "$3" |
    openssl x509 -req -CA "$2.crt" -CAkey "$2.key" -CAcreateserial -days 3650 \
      -extfile <(echo "$ext") -out "$1.crt" 2>/dev/null
}

kubeconfig() { # NAME
  local file=$1.kubeconfig
  "$CLUSTER_BIN/kubectl" config --kubeconfig "$file" set-cluster snip --server "https://$NODE_IP:$API_PORT" \
    --certificate-authority ca.crt --embed-certs >/dev/null
  "$CLUSTER_BIN/kubectl" config --kubeconfig "$file" set-credentials "$1" \
    --client-certificate "$1.crt" --client-key "$1.key" --embed-certs >/dev/null
  "$CLUSTER_BIN/kubectl" config --kubeconfig "$file" set-context snip --cluster snip --user "$1" >/dev/null
  "$CLUSTER_BIN/kubectl" config --kubeconfig "$file" use-context snip >/dev/null
}

ca ca snip-cluster-ca
ca front-proxy-ca snip-front-proxy-ca

cert apiserver ca /CN=kube-apiserver serverAuth \
  "IP:$NODE_IP,IP:$KUBERNETES_SERVICE_IP,IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
cert apiserver-kubelet-client ca /CN=kube-apiserver-kubelet-client clientAuth
cert front-proxy-client front-proxy-ca /CN=front-proxy-client clientAuth
cert kubelet-serving ca "/CN=$NODE_NAME" serverAuth "IP:$NODE_IP,DNS:$NODE_NAME"

cert admin ca "/O=system:masters/CN=snip-admin" clientAuth
cert controller-manager ca /CN=system:kube-controller-manager clientAuth
cert scheduler ca /CN=system:kube-scheduler clientAuth
cert kube-proxy ca /CN=system:kube-proxy clientAuth
cert kubelet ca "/O=system:nodes/CN=system:node:$NODE_NAME" clientAuth
for user in admin controller-manager scheduler kube-proxy kubelet; do kubeconfig "$user"; done

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out service-account.key 2>/dev/null
openssl pkey -in service-account.key -pubout -out service-account.pub
chmod 600 ./*.key
touch ./done
