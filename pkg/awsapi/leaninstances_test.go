package awsapi

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
)

// describeInstancesReply is a DescribeInstances page as EC2 writes it, with
// what a scan by element name alone would get wrong: key/value pairs and
// names of other sets (an interface's tags, a group's name), a state
// elsewhere (monitoring), entities and character references, CDATA, a
// comment, a prefixed element, a self-closing set, a tag without a value.
const describeInstancesReply = `<?xml version="1.0" encoding="UTF-8"?>
<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
    <requestId>8f7724cf-496f-496e-8fe3-example</requestId>
    <reservationSet>
        <item>
            <reservationId>r-1234567890abcdef0</reservationId>
            <ownerId>123456789012</ownerId>
            <groupSet/>
            <instancesSet>
                <item>
                    <instanceId>i-1234567890abcdef0</instanceId>
                    <imageId>ami-bff32ccc</imageId>
                    <instanceState>
                        <code>16</code>
                        <name>running</name>
                    </instanceState>
                    <privateDnsName>ip-192-168-1-88.eu-west-1.compute.internal</privateDnsName>
                    <keyName>my_keypair</keyName>
                    <amiLaunchIndex>0</amiLaunchIndex>
                    <productCodes/>
                    <instanceType>t2.micro</instanceType>
                    <launchTime>2018-05-08T16:46:19.000Z</launchTime>
                    <placement>
                        <availabilityZone>eu-west-1c</availabilityZone>
                        <groupName></groupName>
                        <tenancy>default</tenancy>
                    </placement>
                    <monitoring>
                        <state>disabled</state>
                    </monitoring>
                    <groupSet>
                        <item>
                            <groupId>sg-e4076980</groupId>
                            <groupName>SecurityGroup1</groupName>
                        </item>
                    </groupSet>
                    <blockDeviceMapping>
                        <item>
                            <deviceName>/dev/xvda</deviceName>
                            <ebs>
                                <volumeId>vol-1234567890abcdef0</volumeId>
                                <status>attached</status>
                                <attachTime>2015-12-22T10:44:09.000Z</attachTime>
                                <deleteOnTermination>true</deleteOnTermination>
                            </ebs>
                        </item>
                    </blockDeviceMapping>
                    <networkInterfaceSet>
                        <item>
                            <networkInterfaceId>eni-551ba033</networkInterfaceId>
                            <tagSet>
                                <item><key>decoy</key><value>not the instance's</value></item>
                            </tagSet>
                            <attachment><status>attached</status></attachment>
                        </item>
                    </networkInterfaceSet>
                    <tagSet>
                        <item>
                            <key>Name</key>
                            <value>Windows &amp; Linux &lt;test&gt; &#233;t&#xE9;</value>
                        </item>
                        <item>
                            <key><![CDATA[aws:ec2launchtemplate:id]]></key>
                            <value>lt-0abcdef</value>
                            <!-- a comment, with <tags> -->
                        </item>
                        <item>
                            <key>empty</key>
                            <value/>
                        </item>
                    </tagSet>
                    <ec2:hypervisor xmlns:ec2="http://ec2.amazonaws.com/doc/2016-11-15/">xen</ec2:hypervisor>
                </item>
                <item>
                    <instanceId>i-0598c7d356eba48d7</instanceId>
                    <imageId>ami-0abcdef1234567890</imageId>
                    <instanceState><code>80</code><name>stopped</name></instanceState>
                    <launchTime>2026-11-14T00:06:16.000Z</launchTime>
                    <tagSet>
                        <item><key>a&amp;b</key><value>plain</value></item>
                        <item><key>c&lt;d</key><value>Windows &amp; Linux</value></item>
                    </tagSet>
                </item>
            </instancesSet>
        </item>
        <item>
            <reservationId>r-2</reservationId>
            <ownerId>444455556666</ownerId>
            <instancesSet>
                <item>
                    <instanceId>i-2</instanceId>
                    <imageId>ami-2</imageId>
                    <tagSet/>
                </item>
            </instancesSet>
        </item>
    </reservationSet>
    <nextToken>eyJ2IjoiMiIsImMiOiJ0b2tlbiJ9</nextToken>
</DescribeInstancesResponse>
`

// stubEC2 is an EC2 client whose every reply is body with status.
func stubEC2(status int, body string) *ec2.Client {
	return ec2.New(ec2.Options{
		Region:      "eu-west-1",
		Credentials: aws.AnonymousCredentials{},
		HTTPClient: httpClientFunc(func(r *http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"text/xml"}},
				Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
		}),
		RetryMaxAttempts: 1,
	})
}

type httpClientFunc func(*http.Request) (*http.Response, error)

func (f httpClientFunc) Do(r *http.Request) (*http.Response, error) { return f(r) }

// kept is what LeanInstances promises of a reply.
func kept(out *ec2.DescribeInstancesOutput) *ec2.DescribeInstancesOutput {
	k := &ec2.DescribeInstancesOutput{NextToken: out.NextToken}
	for _, r := range out.Reservations {
		kr := ec2types.Reservation{ReservationId: r.ReservationId, OwnerId: r.OwnerId}
		for _, i := range r.Instances {
			kr.Instances = append(kr.Instances, ec2types.Instance{InstanceId: i.InstanceId, ImageId: i.ImageId,
				LaunchTime: i.LaunchTime, State: i.State, Tags: i.Tags})
		}
		k.Reservations = append(k.Reservations, kr)
	}
	return k
}

// TestLeanInstancesAsTheSDK decodes one reply with the SDK's decoder and
// with LeanInstances: the kept fields are equal, and the rest is empty.
func TestLeanInstancesAsTheSDK(t *testing.T) {
	ctx := context.Background()
	api := stubEC2(200, describeInstancesReply)
	full, err := api.DescribeInstances(ctx, &ec2.DescribeInstancesInput{})
	if err != nil {
		t.Fatal(err)
	}
	lean, err := api.DescribeInstances(ctx, &ec2.DescribeInstancesInput{}, LeanInstances)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(kept(full), kept(lean)) {
		t.Errorf("lean\n%s\nSDK\n%s", dump(kept(lean)), dump(kept(full)))
	}
	if got := len(full.Reservations[0].Instances[0].Tags); got != 3 {
		t.Fatalf("the SDK read %d tags: the fixture is wrong", got)
	}
	lean.ResultMetadata = middleware.Metadata{}
	if !reflect.DeepEqual(kept(lean), lean) {
		t.Errorf("lean kept more than it says: %s", dump(lean))
	}
}

func dump(out *ec2.DescribeInstancesOutput) string {
	var b strings.Builder
	fmt.Fprintf(&b, "next %q\n", aws.ToString(out.NextToken))
	for _, r := range out.Reservations {
		fmt.Fprintf(&b, "reservation %s %s\n", aws.ToString(r.ReservationId), aws.ToString(r.OwnerId))
		for _, i := range r.Instances {
			fmt.Fprintf(&b, "  %s %s %v %+v\n", aws.ToString(i.InstanceId), aws.ToString(i.ImageId), aws.ToTime(i.LaunchTime), i.State)
			for _, tag := range i.Tags {
				fmt.Fprintf(&b, "    %q=%q\n", aws.ToString(tag.Key), aws.ToString(tag.Value))
			}
		}
	}
	return b.String()
}

// TestLeanInstancesManyAsTheSDK: a page of 1000 instances in reservations
// of one to three, each with its own tags (more than a slab holds, runs
// that must move to a new slab), decoded as the SDK decodes it.
func TestLeanInstancesManyAsTheSDK(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><reservationSet>`)
	for i := 0; i < 1000; {
		fmt.Fprintf(&b, `<item><reservationId>r-%d</reservationId><instancesSet>`, i)
		for range 1 + i%3 {
			fmt.Fprintf(&b, `<item><instanceId>i-%017x</instanceId><imageId>ami-%d</imageId><tagSet>`, i, i%7)
			for k := range i % 5 {
				fmt.Fprintf(&b, `<item><key>k%d</key><value>v%d-%d &amp; more</value></item>`, k, i, k)
			}
			b.WriteString(`</tagSet></item>`)
			i++
		}
		b.WriteString(`</instancesSet></item>`)
	}
	b.WriteString(`</reservationSet></DescribeInstancesResponse>`)
	api := stubEC2(200, b.String())
	full, err := api.DescribeInstances(context.Background(), &ec2.DescribeInstancesInput{})
	if err != nil {
		t.Fatal(err)
	}
	lean, err := api.DescribeInstances(context.Background(), &ec2.DescribeInstancesInput{}, LeanInstances)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(kept(full), kept(lean)) {
		t.Errorf("lean and the SDK differ:\n%s", firstDifference(dump(kept(lean)), dump(kept(full))))
	}
}

// firstDifference is the first line where a and b differ.
func firstDifference(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return fmt.Sprintf("line %d: %q, want %q", i+1, al[i], bl[i])
		}
	}
	return fmt.Sprintf("%d lines, want %d", len(al), len(bl))
}

// TestLeanInstancesErrors: an error reply is the SDK's error; a reply cut
// short or malformed is a deserialization error, not a short page.
func TestLeanInstancesErrors(t *testing.T) {
	ctx := context.Background()
	notFound := `<?xml version="1.0" encoding="UTF-8"?>
<Response><Errors><Error><Code>InvalidInstanceID.NotFound</Code><Message>The instance ID 'i-1' does not exist</Message></Error></Errors><RequestID>r</RequestID></Response>`
	_, err := stubEC2(400, notFound).DescribeInstances(ctx, &ec2.DescribeInstancesInput{}, LeanInstances)
	if !HasCode(err, "InvalidInstanceID.NotFound") || !strings.Contains(err.Error(), "'i-1' does not exist") {
		t.Errorf("error reply: %v", err)
	}
	for name, body := range map[string]string{
		"cut short":       describeInstancesReply[:len(describeInstancesReply)/2],
		"cut in a tag":    describeInstancesReply[:strings.Index(describeInstancesReply, "<launchTime>")+5],
		"bad entity":      strings.Replace(describeInstancesReply, "&amp;", "&nbsp;", 1),
		"bad launch time": strings.Replace(describeInstancesReply, "2018-05-08T16:46:19.000Z", "yesterday", 1),
		"bad state code":  strings.Replace(describeInstancesReply, "<code>16</code>", "<code>x</code>", 1),
		"a DTD":           strings.Replace(describeInstancesReply, "<DescribeInstancesResponse", "<!DOCTYPE x><DescribeInstancesResponse", 1),
	} {
		_, err := stubEC2(200, body).DescribeInstances(ctx, &ec2.DescribeInstancesInput{}, LeanInstances)
		if de := (*smithy.DeserializationError)(nil); !errors.As(err, &de) {
			t.Errorf("%s: %v, want a deserialization error", name, err)
		}
	}
}

// failingBody gives the first n bytes of body, then fails as a connection
// closed in the middle of the reply does.
type failingBody struct {
	r io.Reader
}

func (f *failingBody) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err == io.EOF {
		return n, &net.OpError{Op: "read", Net: "tcp", Err: net.ErrClosed}
	}
	return n, err
}

func (f *failingBody) Close() error { return nil }

// TestLeanInstancesRetriesACutReply: a connection that fails in the middle
// of the reply is a connection error the SDK's retryer repeats; the second
// attempt's whole reply is the answer. With no attempt left, the error
// names the read that failed.
func TestLeanInstancesRetriesACutReply(t *testing.T) {
	for _, c := range []struct {
		attempts int
		wantErr  string
	}{{2, ""}, {1, "reading the reply: read tcp: use of closed network connection"}} {
		calls := 0
		api := ec2.New(ec2.Options{
			Region:      "eu-west-1",
			Credentials: aws.AnonymousCredentials{},
			HTTPClient: httpClientFunc(func(r *http.Request) (*http.Response, error) {
				calls++
				var body io.ReadCloser = io.NopCloser(strings.NewReader(describeInstancesReply))
				if calls == 1 {
					body = &failingBody{r: strings.NewReader(describeInstancesReply[:len(describeInstancesReply)/2])}
				}
				return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"text/xml"}}, Body: body, Request: r}, nil
			}),
			RetryMaxAttempts: c.attempts,
			Retryer:          retry.AddWithMaxBackoffDelay(retry.NewStandard(), time.Millisecond),
		})
		out, err := api.DescribeInstances(context.Background(), &ec2.DescribeInstancesInput{}, LeanInstances)
		switch {
		case c.wantErr == "" && (err != nil || len(out.Reservations) != 2):
			t.Errorf("%d attempts: %v, %v", c.attempts, out, err)
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("%d attempts: err %v, want %q", c.attempts, err, c.wantErr)
		}
	}
}

// TestXMLScannerLongRuns: text and tags longer than the scanner's window,
// read a byte at a time, are read whole, and a quoted '>' does not end a
// tag.
func TestXMLScannerLongRuns(t *testing.T) {
	long := strings.Repeat("v", 100)
	body := `<R><reservationSet><item><instancesSet><item><instanceId>` + long +
		`</instanceId><tagSet><item><key a="x>y" b='1'>k</key><value>` + long + `</value></item></tagSet></item></instancesSet></item></reservationSet></R>`
	out, err := scanInstances(iotest.OneByteReader(strings.NewReader(body)), 16)
	if err != nil {
		t.Fatal(err)
	}
	i := out.Reservations[0].Instances[0]
	if aws.ToString(i.InstanceId) != long || aws.ToString(i.Tags[0].Key) != "k" || aws.ToString(i.Tags[0].Value) != long {
		t.Errorf("%s", dump(out))
	}
}

// BenchmarkDescribeInstancesDecode: 1000 instances of the fixture's first
// kind, decoded by the SDK and by LeanInstances.
func BenchmarkDescribeInstancesDecode(b *testing.B) {
	start := strings.Index(describeInstancesReply, "<instancesSet>") + len("<instancesSet>")
	end := strings.Index(describeInstancesReply, "</instancesSet>")
	one := describeInstancesReply[start:end]
	var body bytes.Buffer
	body.WriteString(describeInstancesReply[:start])
	for range 500 {
		body.WriteString(one)
	}
	body.WriteString(describeInstancesReply[end:])
	for _, c := range []struct {
		name string
		opts []func(*ec2.Options)
	}{{"sdk", nil}, {"lean", []func(*ec2.Options){LeanInstances}}} {
		b.Run(c.name, func(b *testing.B) {
			api := stubEC2(200, body.String())
			b.SetBytes(int64(body.Len()))
			for b.Loop() {
				if _, err := api.DescribeInstances(context.Background(), &ec2.DescribeInstancesInput{}, c.opts...); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// FuzzLeanInstancesAsTheSDK: whatever the reply, the scan does not panic
// and reads it the same through any window, and on a reply both read, it
// keeps what the SDK's decoder reads.
func FuzzLeanInstancesAsTheSDK(f *testing.F) {
	f.Add(describeInstancesReply, uint8(16))
	// Elements skipped whole, with what hides or nests their end tag.
	f.Add(strings.Replace(describeInstancesReply, "<keyName>", `<placement a=">"><!-- </placement> --><![CDATA[</placement>]]>`+
		`<placement/><placement b='/>'><x>1</x></placement ></placement><ec2:foo xmlns:ec2="u"><ec2:foo>y</ec2:foo>`+
		`<?pi </ec2:foo> ?></ec2:foo><instanceId>decoy</instanceId><keyName>`, 1), uint8(7))
	f.Add(strings.Replace(describeInstancesReply, "<code>16</code>", "<code>3000000000</code>", 1), uint8(255))
	f.Add(`<R><reservationSet><item><instancesSet><item><tagSet><item><key>k</key><value></value></item></tagSet></item></instancesSet></item></reservationSet></R>`, uint8(1))
	f.Fuzz(func(t *testing.T, body string, window uint8) {
		lean, err := scanInstances(strings.NewReader(body), 64<<10)
		small, smallErr := scanInstances(iotest.OneByteReader(strings.NewReader(body)), 1+int(window))
		if (err == nil) != (smallErr == nil) || err == nil && !reflect.DeepEqual(lean, small) {
			t.Fatalf("a window of %d bytes read it otherwise: %v, %v", 1+int(window), err, smallErr)
		}
		full, sdkErr := stubEC2(200, body).DescribeInstances(context.Background(), &ec2.DescribeInstancesInput{})
		if err != nil && sdkErr == nil && !hasDirective(body) && hasElement(body) {
			t.Fatalf("the SDK reads it, the scan does not: %v", err)
		}
		if err != nil || sdkErr != nil {
			return
		}
		if !reflect.DeepEqual(kept(full), kept(lean)) {
			t.Errorf("lean\n%s\nSDK\n%s", dump(kept(lean)), dump(kept(full)))
		}
	})
}

// hasDirective reports whether body has markup <!...> other than a
// comment or CDATA: a DTD, which the scan refuses and encoding/xml reads.
func hasDirective(body string) bool {
	for i := strings.Index(body, "<!"); i >= 0; i = strings.Index(body, "<!") {
		body = body[i:]
		if !strings.HasPrefix(body, "<!--") && !strings.HasPrefix(body, "<![CDATA[") {
			return true
		}
		body = body[2:]
	}
	return false
}

// hasElement reports whether encoding/xml finds an element in body: the
// SDK reads a body without one as an empty page, where the scan refuses
// text that is not XML.
func hasElement(body string) bool {
	d := xml.NewDecoder(strings.NewReader(body))
	for {
		tok, err := d.Token()
		if err != nil {
			return false
		}
		if _, ok := tok.(xml.StartElement); ok {
			return true
		}
	}
}
