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

// clusterCA is a self-signed CA certificate for a cluster, as base64 of its
// PEM (the form of DescribeCluster's certificateAuthority.data). EKS's CAs
// are RSA; this one is Ed25519 because an Ed25519 key derives from a seed
// and signs deterministically, so the same world seed gives the same bytes.
// Nothing verifies it: the sandbox serves the Kubernetes API over plain HTTP.
func clusterCA(seed int64, arn string, created time.Time) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%d/%s", seed, arn))
	key := ed25519.NewKeyFromSeed(sum[:])
	tpl := &x509.Certificate{
		SerialNumber:          new(big.Int).SetBytes(sum[:8]),
		Subject:               pkix.Name{CommonName: "kubernetes"},
		NotBefore:             created.Truncate(time.Second),
		NotAfter:              created.Truncate(time.Second).AddDate(10, 0, 0),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
	}
	der, err := x509.CreateCertificate(nil, tpl, tpl, key.Public(), key)
	if err != nil {
		panic(fmt.Sprintf("sandbox: self-signing a cluster CA: %v", err)) // a fixed, valid template never fails
	}
	return base64.StdEncoding.EncodeToString(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}
