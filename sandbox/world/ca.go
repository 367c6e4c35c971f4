package world

import (
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math/big"
	"time"
)

// KubernetesCA is the certificate authority of the sandbox's Kubernetes API
// servers, derived from the world's seed: its certificate (DER) and key.
//
// EKS gives every cluster a CA of its own; the sandbox's clusters share one,
// because one TLS listener serves them all and a client names the cluster
// in the path, not in the TLS handshake. EKS's CAs are RSA; this one is
// Ed25519 because an Ed25519 key derives from a seed and signs
// deterministically, so the same seed always gives the same bytes, in a
// state file or not.
func KubernetesCA(seed int64) ([]byte, ed25519.PrivateKey) {
	key := DeriveKey(seed, "kubernetes-ca")
	tpl := &x509.Certificate{
		SerialNumber: big.NewInt(seed&0x7fffffff + 1),
		Subject:      pkix.Name{CommonName: "kubernetes"},
		// Wide, so that neither a wrong machine clock nor the world's 2026
		// calendar trips a client's check.
		NotBefore:             time.Date(2000, time.January, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:              time.Date(2100, time.January, 1, 0, 0, 0, 0, time.UTC),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
	}
	der, err := x509.CreateCertificate(nil, tpl, tpl, key.Public(), key)
	if err != nil {
		panic(fmt.Sprintf("sandbox: self-signing the Kubernetes CA: %v", err)) // a fixed, valid template never fails
	}
	return der, key
}

// DeriveKey is an Ed25519 key derived from the world's seed and a purpose.
func DeriveKey(seed int64, purpose string) ed25519.PrivateKey {
	sum := sha256.Sum256(fmt.Appendf(nil, "winami-sandbox/%d/%s", seed, purpose))
	return ed25519.NewKeyFromSeed(sum[:])
}

// clusterCA is the Kubernetes CA as DescribeCluster's
// certificateAuthority.data carries it: base64 of the PEM.
func clusterCA(seed int64) string {
	der, _ := KubernetesCA(seed)
	return base64.StdEncoding.EncodeToString(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}
