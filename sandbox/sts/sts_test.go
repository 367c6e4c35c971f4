package sts_test

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/sandboxtest"
	"github.com/winami/winami/sandbox/sts"
	"github.com/winami/winami/sandbox/world"
)

func worldUser(t *testing.T, srv *sandbox.Server) (account, user string) {
	t.Helper()
	err := srv.Store().View(func(w *world.World) error {
		account, user = w.AccountID, w.UserName
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if account == "" || user == "" {
		t.Fatalf("the seeded world has no account (%q) or user (%q)", account, user)
	}
	return account, user
}

var userIDPattern = regexp.MustCompile(`^AIDA[A-Z2-7]{17}$`)

func TestGetCallerIdentity(t *testing.T) {
	srv, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1})
	account, user := worldUser(t, srv)

	tests := []struct {
		region, partition string
	}{
		{"us-east-1", "aws"},
		{"eu-west-1", "aws"},
		{"cn-north-1", "aws-cn"},
		{"us-gov-west-1", "aws-us-gov"},
	}
	for _, tt := range tests {
		t.Run(tt.region, func(t *testing.T) {
			client := awssts.NewFromConfig(cfg, func(o *awssts.Options) { o.Region = tt.region })
			out, err := client.GetCallerIdentity(t.Context(), &awssts.GetCallerIdentityInput{})
			if err != nil {
				t.Fatalf("GetCallerIdentity: %v", err)
			}
			if got := aws.ToString(out.Account); got != account {
				t.Errorf("Account = %q, want %q", got, account)
			}
			if got, want := aws.ToString(out.Arn), "arn:"+tt.partition+":iam::"+account+":user/"+user; got != want {
				t.Errorf("Arn = %q, want %q", got, want)
			}
			if got := aws.ToString(out.UserId); !userIDPattern.MatchString(got) || got != sts.UserID(account, user) {
				t.Errorf("UserId = %q, want %s of the form AIDA + 17 of [A-Z2-7]", got, sts.UserID(account, user))
			}
		})
	}
}

func TestUserIDIsStable(t *testing.T) {
	a, b := sts.UserID("111122223333", "sandbox"), sts.UserID("111122223333", "sandbox")
	if a != b {
		t.Errorf("UserID not stable: %s, %s", a, b)
	}
	if c := sts.UserID("111122223333", "other"); c == a {
		t.Errorf("two users share the ID %s", a)
	}
}

// TestPresignedGetCallerIdentity follows `aws eks get-token`: a presigned
// GET carrying the cluster name in a signed x-k8s-aws-id header, which the
// cluster's authenticator then sends to STS.
func TestPresignedGetCallerIdentity(t *testing.T) {
	srv, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1})
	account, user := worldUser(t, srv)

	presigner := awssts.NewPresignClient(awssts.NewFromConfig(cfg))
	presigned, err := presigner.PresignGetCallerIdentity(t.Context(), &awssts.GetCallerIdentityInput{}, func(o *awssts.PresignOptions) {
		o.ClientOptions = append(o.ClientOptions, func(o *awssts.Options) {
			o.APIOptions = append(o.APIOptions,
				smithyhttp.AddHeaderValue("x-k8s-aws-id", "prod"),
				smithyhttp.AddHeaderValue("X-Amz-Expires", "60"))
		})
	})
	if err != nil {
		t.Fatalf("presigning: %v", err)
	}
	if presigned.Method != http.MethodGet || !strings.Contains(presigned.URL, "Action=GetCallerIdentity") ||
		!strings.Contains(presigned.URL, "X-Amz-Credential=") {
		t.Fatalf("presigned request is not the query GET the test is about: %s %s", presigned.Method, presigned.URL)
	}
	if got := presigned.SignedHeader.Get("x-k8s-aws-id"); got != "prod" {
		t.Fatalf("x-k8s-aws-id not among the signed headers: %v", presigned.SignedHeader)
	}

	send := func(t *testing.T, accept string) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), presigned.Method, presigned.URL, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header = presigned.SignedHeader.Clone()
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		return resp, body
	}
	wantArn := "arn:aws:iam::" + account + ":user/" + user

	t.Run("xml", func(t *testing.T) {
		_, body := send(t, "")
		var out struct {
			XMLName xml.Name `xml:"https://sts.amazonaws.com/doc/2011-06-15/ GetCallerIdentityResponse"`
			Result  struct {
				Arn, UserId, Account string
			} `xml:"GetCallerIdentityResult"`
			RequestID string `xml:"ResponseMetadata>RequestId"`
		}
		if err := xml.Unmarshal(body, &out); err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		if out.Result.Account != account || out.Result.Arn != wantArn || out.RequestID == "" {
			t.Errorf("got %+v from %s", out, body)
		}
	})
	// aws-iam-authenticator asks for JSON.
	t.Run("json", func(t *testing.T) {
		resp, body := send(t, "application/json")
		var out struct {
			GetCallerIdentityResponse struct {
				GetCallerIdentityResult struct{ Account, Arn, UserId string }
				ResponseMetadata        struct{ RequestId string }
			}
		}
		if err := json.Unmarshal(body, &out); err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		r := out.GetCallerIdentityResponse
		if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type %q", ct)
		}
		if r.GetCallerIdentityResult.Account != account || r.GetCallerIdentityResult.Arn != wantArn ||
			!userIDPattern.MatchString(r.GetCallerIdentityResult.UserId) || r.ResponseMetadata.RequestId == "" {
			t.Errorf("got %+v from %s", r, body)
		}
	})
}

// TestGetCallerIdentitySecondAccount: an access key ending in another
// account's ID of the world acts as that account; unknown suffixes stay
// in the default account.
func TestGetCallerIdentitySecondAccount(t *testing.T) {
	_, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1})
	for key, want := range map[string]string{
		"test-" + world.PartnerAccountID: world.PartnerAccountID,
		"test-999999999999":              world.DefaultAccountID,
		"AKIAEXAMPLE":                    world.DefaultAccountID,
	} {
		c := cfg.Copy()
		c.Credentials = credentials.NewStaticCredentialsProvider(key, "test", "")
		out, err := awssts.NewFromConfig(c).GetCallerIdentity(t.Context(), &awssts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.ToString(out.Account); got != want {
			t.Errorf("key %s: account %s, want %s", key, got, want)
		}
		if arn := aws.ToString(out.Arn); arn != "arn:aws:iam::"+want+":user/"+world.CallerUserName {
			t.Errorf("key %s: ARN %s", key, arn)
		}
	}
}
