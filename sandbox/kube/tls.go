package kube

import (
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"sync"

	"github.com/winami/winami/sandbox/world"
)

// ServingTLS is the TLS configuration of the clusters' API servers: a
// certificate signed by the world's Kubernetes CA (world.KubernetesCA) for
// the address the client dialled, made on first use per address. kubectl
// and client-go, when configured from a kubeconfig, send credentials only
// over TLS, so the Kubernetes API must speak it; the sandbox's listener
// tells TLS from plain HTTP by the first byte (see sandbox.Server.Start).
func ServingTLS(seed int64) *tls.Config {
	caDER, caKey := world.KubernetesCA(seed)
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		panic(fmt.Sprintf("sandbox: parsing the Kubernetes CA: %v", err)) // it was just made
	}
	leafKey := world.DeriveKey(seed, "kubernetes-serving")
	var mu sync.Mutex
	byIP := map[string]*tls.Certificate{}
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		// HTTP/1.1 only: client-go and kubectl need nothing more.
		NextProtos: []string{"http/1.1"},
		GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
			ip := net.IPv4(127, 0, 0, 1)
			if a, ok := hello.Conn.LocalAddr().(*net.TCPAddr); ok {
				ip = a.IP
			}
			mu.Lock()
			defer mu.Unlock()
			if c := byIP[ip.String()]; c != nil {
				return c, nil
			}
			tpl := &x509.Certificate{
				SerialNumber: new(big.Int).SetBytes(ip.To16()),
				Subject:      pkix.Name{CommonName: "kube-apiserver"},
				NotBefore:    ca.NotBefore,
				NotAfter:     ca.NotAfter,
				KeyUsage:     x509.KeyUsageDigitalSignature,
				ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
				DNSNames:     []string{"localhost", "kubernetes", "kubernetes.default"},
				IPAddresses:  []net.IP{ip},
			}
			der, err := x509.CreateCertificate(nil, tpl, ca, leafKey.Public(), caKey)
			if err != nil {
				return nil, fmt.Errorf("sandbox: signing a serving certificate for %s: %w", ip, err)
			}
			c := &tls.Certificate{Certificate: [][]byte{der, caDER}, PrivateKey: leafKey}
			byIP[ip.String()] = c
			return c, nil
		},
	}
}
