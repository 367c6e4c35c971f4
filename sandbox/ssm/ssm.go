// Package ssm is the sandbox's Systems Manager Parameter Store (JSON 1.1):
// the public /aws/service parameters of the seeded world and the account's
// own parameters, per region.
package ssm

import (
	"encoding/base64"
	"errors"
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
			"GetParameter":            s.getParameter,
			"GetParameters":           s.getParameters,
			"GetParametersByPath":     s.getParametersByPath,
			"PutParameter":            s.putParameter,
			"DeleteParameter":         s.deleteParameter,
			"GetParameterHistory":     s.getParameterHistory,
			"LabelParameterVersion":   s.labelParameterVersion,
			"UnlabelParameterVersion": s.unlabelParameterVersion,
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

// toWire is version v of parameter p on the wire.
func toWire(regionName string, p *world.Parameter, v world.ParameterVersion, decrypt bool) wireParameter {
	return wireParameter{
		ARN:              arn(regionName, p),
		DataType:         v.DataType,
		LastModifiedDate: epochSeconds(v.LastModifiedDate),
		Name:             p.Name,
		Type:             v.Type,
		Value:            shownValue(v, decrypt),
		Version:          v.Version,
	}
}

// shownValue is a version's value as a read shows it: a SecureString read
// without decryption gets the ciphertext.
func shownValue(v world.ParameterVersion, decrypt bool) string {
	if v.Type == "SecureString" && !decrypt {
		return ciphertext(v.Value)
	}
	return v.Value
}

// errParameterNotFound is SSM's answer for a name that is no parameter. AWS
// answers GetParameter with no message at all (published CLI transcripts
// read "... when calling the GetParameter operation: " and nothing after).
// For DeleteParameter, GetParameterHistory and (Un)LabelParameterVersion no
// transcript of AWS's own answer was found: they answer as GetParameter does,
// and the tests assert only the code, so that a message learned later is a
// change here alone.
func errParameterNotFound() error {
	return protocol.Errorf("ParameterNotFound", "")
}

// parameterError is a world.ParameterError on the wire; other errors pass.
func parameterError(err error) error {
	var pe *world.ParameterError
	if errors.As(err, &pe) {
		return protocol.Errorf(pe.Code, "%s", pe.Message)
	}
	return err
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
