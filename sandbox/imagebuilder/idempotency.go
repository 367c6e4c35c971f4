package imagebuilder

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/winami/winami/sandbox/world"
)

// idempotent runs create once per operation and client token, as Image Builder
// does: a repeat of the same request with the same token gets the first
// answer and makes nothing; another request with the same token fails with
// IdempotentParameterMismatchException. in is the decoded request (its
// clientToken field is left out of the comparison), create's result the
// answer without requestId, which the caller sets.
//
// Tokens are forgotten after tokenLifetime, so the sandbox's state does not
// grow for ever with the token every SDK call carries.
func idempotent(ib *world.ImageBuilder, op, token string, in any, at time.Time, create func() (any, error)) (map[string]any, error) {
	request, err := canonical(in)
	if err != nil {
		return nil, err
	}
	key := op + "/" + token
	if rec := ib.ClientTokens[key]; token != "" && rec != nil && at.Sub(rec.At) <= tokenLifetime {
		if rec.Request != request {
			return nil, mismatch(token)
		}
		return decodeObject(rec.Response)
	}
	out, err := create()
	if err != nil {
		return nil, err
	}
	response, err := json.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("encoding %s answer: %w", op, err)
	}
	if token != "" {
		for k, rec := range ib.ClientTokens {
			if at.Sub(rec.At) > tokenLifetime {
				delete(ib.ClientTokens, k)
			}
		}
		ib.ClientTokens[key] = &world.ClientTokenRecord{Request: request, Response: string(response), At: at}
	}
	return decodeObject(string(response))
}

// tokenLifetime is how long a client token is remembered. (EC2 documents at
// least 24 hours for its tokens; Image Builder documents none.)
const tokenLifetime = 24 * time.Hour

// canonical is the SHA-256 of a request's JSON without its clientToken:
// re-encoding the decoded struct orders fields and map keys, so equal
// requests compare equal whatever order their JSON had.
func canonical(in any) (string, error) {
	raw, err := json.Marshal(in)
	if err != nil {
		return "", fmt.Errorf("encoding request: %w", err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return "", fmt.Errorf("decoding request: %w", err)
	}
	delete(m, "clientToken")
	out, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("encoding request: %w", err)
	}
	sum := sha256.Sum256(out)
	return hex.EncodeToString(sum[:]), nil
}

func decodeObject(s string) (map[string]any, error) {
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return nil, fmt.Errorf("decoding a stored answer: %w", err)
	}
	return m, nil
}

// withRequestID adds the request's ID to an answer.
func withRequestID(m map[string]any, id string) map[string]any {
	m["requestId"] = id
	return m
}
