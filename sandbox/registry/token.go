package registry

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// TokenLifetime is how long an ECR authorization token is valid, as in AWS.
const TokenLifetime = 12 * time.Hour

// tokenPrefix marks sandbox ECR passwords and their scheme version.
const tokenPrefix = "winami-ecr-v1"

// Tokens issues and verifies ECR registry passwords without shared mutable
// state: a password carries the caller's account, the region and the expiry,
// sealed with an HMAC keyed by the world's seed, so the ECR service that
// issues it and the registry that checks it need only agree on the seed.
type Tokens struct {
	key []byte
}

// NewTokens returns the token scheme of a world seed.
func NewTokens(seed int64) Tokens {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(seed))
	sum := sha256.Sum256(append([]byte("winami sandbox ecr token key\x00"), b[:]...))
	return Tokens{key: sum[:]}
}

// Issue returns the password of an account's token for a region, valid until expires.
func (t Tokens) Issue(account, region string, expires time.Time) string {
	payload := strings.Join([]string{tokenPrefix, account, region, strconv.FormatInt(expires.Unix(), 10)}, ".")
	return payload + "." + t.mac(payload)
}

// AuthorizationToken is the authorizationToken GetAuthorizationToken answers:
// base64 of "AWS:<password>", what `docker login -u AWS` takes apart.
func (t Tokens) AuthorizationToken(account, region string, expires time.Time) string {
	return base64.StdEncoding.EncodeToString([]byte("AWS:" + t.Issue(account, region, expires)))
}

// Errors of Verify.
var (
	ErrBadToken     = errors.New("the authorization token is not valid")
	ErrExpiredToken = errors.New("the authorization token has expired")
	ErrWrongRegion  = errors.New("the authorization token was issued for another region")
)

// Verify checks a password for a registry of region at now and returns the
// account it was issued to.
func (t Tokens) Verify(password, region string, now time.Time) (string, error) {
	i := strings.LastIndexByte(password, '.')
	if i < 0 {
		return "", ErrBadToken
	}
	payload, mac := password[:i], password[i+1:]
	if !hmac.Equal([]byte(mac), []byte(t.mac(payload))) {
		return "", ErrBadToken
	}
	parts := strings.Split(payload, ".")
	if len(parts) != 4 || parts[0] != tokenPrefix {
		return "", ErrBadToken
	}
	exp, err := strconv.ParseInt(parts[3], 10, 64)
	if err != nil {
		return "", ErrBadToken
	}
	if parts[2] != region {
		return "", fmt.Errorf("%w (%s, not %s)", ErrWrongRegion, parts[2], region)
	}
	if !now.Before(time.Unix(exp, 0)) {
		return "", ErrExpiredToken
	}
	return parts[1], nil
}

func (t Tokens) mac(payload string) string {
	h := hmac.New(sha256.New, t.key)
	h.Write([]byte(payload))
	return hex.EncodeToString(h.Sum(nil))
}
