// Package ssm is the sandbox's Systems Manager Parameter Store (JSON 1.1):
// the public /aws/service parameters of the seeded world and the account's
// own parameters, per region.
package ssm

import (
	"encoding/base64"
	"net/http"
	"strings"
	"time"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/state"
	"github.com/winami/winami/sandbox/world"
)

// service carries the operations' dependencies.
type service struct {
	store *state.Store
	now   func() time.Time
}

// New returns the SSM service over the store.
func New(store *state.Store, now func() time.Time) *protocol.Service {
	s := &service{store: store, now: now}
	return &protocol.Service{
		Name:           "ssm",
		Protocol:       protocol.JSON11,
		TargetPrefix:   "AmazonSSM",
		ThrottleCode:   "ThrottlingException",
		ThrottleStatus: http.StatusBadRequest,
		InternalCode:   "InternalServerError",
		InternalStatus: http.StatusInternalServerError,
		Operations: map[string]protocol.Handler{
			"GetParameter":        s.getParameter,
			"GetParameters":       s.getParameters,
			"GetParametersByPath": s.getParametersByPath,
			"PutParameter":        s.putParameter,
			"DeleteParameter":     s.deleteParameter,
		},
	}
}

// region is the request's region of the world. A region the sandbox does not
// model is answered as AWS answers a region the account has not enabled.
func region(w *world.World, req *protocol.Request) (*world.Region, error) {
	r := w.Region(req.Region)
	if r == nil {
		return nil, protocol.Errorf("UnrecognizedClientException", "The security token included in the request is invalid.")
	}
	return r, nil
}

// wireParameter is a Parameter as GetParameter(s) and GetParametersByPath
// answer it.
type wireParameter struct {
	ARN      string `json:"ARN"`
	DataType string `json:"DataType"`
	// LastModifiedDate is epoch seconds, as JSON 1.1 encodes timestamps.
	LastModifiedDate float64 `json:"LastModifiedDate"`
	Name             string  `json:"Name"`
	Selector         string  `json:"Selector,omitempty"`
	Type             string  `json:"Type"`
	Value            string  `json:"Value"`
	Version          int64   `json:"Version"`
}

func toWire(regionName string, p *world.Parameter, decrypt bool) wireParameter {
	value := p.Value
	if p.Type == "SecureString" && !decrypt {
		value = ciphertext(p.Value)
	}
	return wireParameter{
		ARN:              arn(regionName, p),
		DataType:         p.DataType,
		LastModifiedDate: epochSeconds(p.LastModifiedDate),
		Name:             p.Name,
		Type:             p.Type,
		Value:            value,
		Version:          p.Version,
	}
}

// arn names a parameter: public ones have no account and keep their leading
// slash after "parameter"; an account's drop it, so "/a/b" and "a/b" agree.
func arn(regionName string, p *world.Parameter) string {
	if p.OwnerAccount == "" {
		return "arn:aws:ssm:" + regionName + "::parameter" + p.Name
	}
	return "arn:aws:ssm:" + regionName + ":" + p.OwnerAccount + ":parameter/" + strings.TrimPrefix(p.Name, "/")
}

func epochSeconds(t time.Time) float64 {
	return float64(t.UnixMilli()) / 1000
}

// ciphertext stands in for the KMS-encrypted blob AWS returns for a
// SecureString read without decryption: opaque, stable, never the plaintext.
func ciphertext(plain string) string {
	return "AQICAH" + base64.StdEncoding.EncodeToString([]byte("sandbox-kms:alias/aws/ssm:"+plain))
}
