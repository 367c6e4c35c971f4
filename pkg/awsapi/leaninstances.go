package awsapi

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithytime "github.com/aws/smithy-go/time"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// LeanInstances is a per-call option of EC2 DescribeInstances for readers
// that need only a few fields of many instances (drift, rollout): the
// reply's XML is scanned once for each instance's InstanceId, ImageId,
// LaunchTime, State and Tags, and the page's NextToken; every other member
// of the output is left empty. An instance in EC2's reply is several
// kilobytes of XML, and the SDK's decoder, which builds every member
// through encoding/xml, cost about 60 µs of CPU per instance: most of a
// fleet report's time. Error replies are left to the SDK's decoder, so
// errors are the SDK's own.
//
//	api.DescribeInstances(ctx, in, awsapi.LeanInstances)
func LeanInstances(o *ec2.Options) {
	o.APIOptions = append(o.APIOptions, swapInstancesDeserializer)
}

// operationDeserializer is the ID every SDK operation gives its decoder.
const operationDeserializer = "OperationDeserializer"

func swapInstancesDeserializer(stack *middleware.Stack) error {
	sdk, ok := stack.Deserialize.Get(operationDeserializer)
	if !ok {
		return fmt.Errorf("lean DescribeInstances: the SDK's stack has no %s", operationDeserializer)
	}
	_, err := stack.Deserialize.Swap(operationDeserializer, leanInstancesDeserializer{sdk: sdk})
	return err
}

// leanInstancesDeserializer wraps the SDK's decoder: a successful reply is
// scanned here and the SDK's decoder is handed an empty body, which it
// decodes as an empty output; any other reply passes through untouched.
type leanInstancesDeserializer struct {
	sdk middleware.DeserializeMiddleware
}

func (leanInstancesDeserializer) ID() string { return operationDeserializer }

func (m leanInstancesDeserializer) HandleDeserialize(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
	var lean *ec2.DescribeInstancesOutput
	var scanErr error
	scan := middleware.DeserializeHandlerFunc(func(ctx context.Context, in middleware.DeserializeInput) (middleware.DeserializeOutput, middleware.Metadata, error) {
		out, md, err := next.HandleDeserialize(ctx, in)
		resp, ok := out.RawResponse.(*smithyhttp.Response)
		if err != nil || !ok || resp.StatusCode < 200 || resp.StatusCode >= 300 {
			return out, md, err
		}
		lean, scanErr = scanInstances(bufio.NewReaderSize(resp.Body, 32<<10))
		// What is left of the body is read, so the connection can be reused.
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		resp.Body = http0Body{}
		return out, md, nil
	})
	out, md, err := m.sdk.HandleDeserialize(ctx, in, scan)
	if err != nil {
		return out, md, err
	}
	if scanErr != nil {
		return out, md, &smithy.DeserializationError{Err: fmt.Errorf("failed to decode response body, %w", scanErr)}
	}
	if lean != nil {
		out.Result = lean
	}
	return out, md, nil
}

// http0Body is an empty, closable body.
type http0Body struct{}

func (http0Body) Read([]byte) (int, error) { return 0, io.EOF }
func (http0Body) Close() error             { return nil }

// The elements the scan follows, by local name; every other is otherElem.
const (
	otherElem uint8 = iota
	reservationSetElem
	instancesSetElem
	itemElem
	instanceIDElem
	imageIDElem
	launchTimeElem
	instanceStateElem
	codeElem
	nameElem
	tagSetElem
	keyElem
	valueElem
	nextTokenElem
	reservationIDElem
	ownerIDElem
)

func elemOf(local []byte) uint8 {
	switch string(local) {
	case "reservationSet":
		return reservationSetElem
	case "instancesSet":
		return instancesSetElem
	case "item":
		return itemElem
	case "instanceId":
		return instanceIDElem
	case "imageId":
		return imageIDElem
	case "launchTime":
		return launchTimeElem
	case "instanceState":
		return instanceStateElem
	case "code":
		return codeElem
	case "name":
		return nameElem
	case "tagSet":
		return tagSetElem
	case "key":
		return keyElem
	case "value":
		return valueElem
	case "nextToken":
		return nextTokenElem
	case "reservationId":
		return reservationIDElem
	case "ownerId":
		return ownerIDElem
	}
	return otherElem
}

// instancesScan is the state of one reply's scan: the open elements (the
// root first) and what is being filled.
type instancesScan struct {
	out   *ec2.DescribeInstancesOutput
	stack []uint8
	res   *ec2types.Reservation
	inst  *ec2types.Instance
	tag   *ec2types.Tag
	// textAt is the depth whose element's text was stored last (0 after
	// a start tag): an element kept that closes without text is "", as
	// the SDK reads it.
	textAt int
	// strs holds the strings the output points to, a slab at a time, so
	// each does not cost an allocation of its own.
	strs []string
}

// ptr is a pointer to v that lives as long as the output.
func (s *instancesScan) ptr(v string) *string {
	if len(s.strs) == cap(s.strs) {
		s.strs = make([]string, 0, 256)
	}
	s.strs = append(s.strs, v)
	return &s.strs[len(s.strs)-1]
}

// pathIs reports whether the open elements below the root are path.
func pathIs(stack, path []uint8) bool {
	if len(stack) != len(path)+1 {
		return false
	}
	for i, e := range path {
		if stack[i+1] != e {
			return false
		}
	}
	return true
}

// Paths below the root of the reply.
var (
	reservationPath = []uint8{reservationSetElem, itemElem}
	instancePath    = []uint8{reservationSetElem, itemElem, instancesSetElem, itemElem}
	statePath       = []uint8{reservationSetElem, itemElem, instancesSetElem, itemElem, instanceStateElem}
	tagPath         = []uint8{reservationSetElem, itemElem, instancesSetElem, itemElem, tagSetElem, itemElem}
)

func (s *instancesScan) start(e uint8) {
	s.stack = append(s.stack, e)
	s.textAt = 0
	if e == otherElem {
		return // most of a reply: nothing the scan keeps begins here
	}
	// A set that is present but empty is an empty slice, as the SDK reads it.
	switch {
	case e == reservationSetElem && len(s.stack) == 2:
		s.out.Reservations = make([]ec2types.Reservation, 0)
	case e == instancesSetElem && pathIs(s.stack[:len(s.stack)-1], reservationPath):
		s.res.Instances = make([]ec2types.Instance, 0)
	case e == tagSetElem && pathIs(s.stack[:len(s.stack)-1], instancePath):
		s.inst.Tags = make([]ec2types.Tag, 0)
	}
	switch {
	case pathIs(s.stack, reservationPath):
		s.out.Reservations = append(s.out.Reservations, ec2types.Reservation{})
		s.res = &s.out.Reservations[len(s.out.Reservations)-1]
	case pathIs(s.stack, instancePath):
		s.res.Instances = append(s.res.Instances, ec2types.Instance{})
		s.inst = &s.res.Instances[len(s.res.Instances)-1]
	case pathIs(s.stack, tagPath):
		s.inst.Tags = append(s.inst.Tags, ec2types.Tag{})
		s.tag = &s.inst.Tags[len(s.inst.Tags)-1]
	}
}

// wants reports whether the text of the innermost open element is kept.
func (s *instancesScan) wants() bool {
	n := len(s.stack)
	if n < 2 {
		return false
	}
	parent := s.stack[:n-1]
	switch s.stack[n-1] {
	case nextTokenElem:
		return len(parent) == 1
	case reservationIDElem, ownerIDElem:
		return pathIs(parent, reservationPath)
	case instanceIDElem, imageIDElem, launchTimeElem:
		return pathIs(parent, instancePath)
	case codeElem, nameElem:
		return pathIs(parent, statePath)
	case keyElem, valueElem:
		return pathIs(parent, tagPath)
	}
	return false
}

// text stores the text of the innermost open element, which wants keeps.
func (s *instancesScan) text(v string) error {
	switch s.stack[len(s.stack)-1] {
	case nextTokenElem:
		s.out.NextToken = s.ptr(v)
	case reservationIDElem:
		s.res.ReservationId = s.ptr(v)
	case ownerIDElem:
		s.res.OwnerId = s.ptr(v)
	case instanceIDElem:
		s.inst.InstanceId = s.ptr(v)
	case imageIDElem:
		s.inst.ImageId = s.ptr(v)
	case launchTimeElem:
		t, err := smithytime.ParseDateTime(v)
		if err != nil {
			return fmt.Errorf("launchTime %q: %w", v, err)
		}
		s.inst.LaunchTime = &t
	case codeElem, nameElem:
		if s.inst.State == nil {
			s.inst.State = &ec2types.InstanceState{}
		}
		if s.stack[len(s.stack)-1] == nameElem {
			s.inst.State.Name = ec2types.InstanceStateName(v)
			break
		}
		code, err := strconv.ParseInt(v, 10, 32)
		if err != nil {
			return fmt.Errorf("instanceState code %q: %w", v, err)
		}
		c := int32(code)
		s.inst.State.Code = &c
	case keyElem:
		s.tag.Key = s.ptr(v)
	case valueElem:
		s.tag.Value = s.ptr(v)
	}
	return nil
}

// end closes the innermost open element.
func (s *instancesScan) end() error {
	var err error
	if s.wants() && s.textAt != len(s.stack) {
		err = s.text("")
	}
	s.stack = s.stack[:len(s.stack)-1]
	s.textAt = 0
	return err
}

// scanInstances reads one DescribeInstances reply.
func scanInstances(r *bufio.Reader) (*ec2.DescribeInstancesOutput, error) {
	s := &instancesScan{out: &ec2.DescribeInstancesOutput{}, stack: make([]uint8, 0, 16)}
	x := xmlScanner{r: r}
	for {
		tok, err := x.next()
		if err == io.EOF && s.out.Reservations == nil && len(s.stack) == 0 {
			return s.out, nil // an empty body: an empty page, as the SDK reads it
		}
		if err == io.EOF {
			return nil, io.ErrUnexpectedEOF
		}
		if err != nil {
			return nil, err
		}
		// The text before the tag is the innermost open element's.
		if len(tok.before) > 0 && s.wants() {
			var v string
			if v, err = unescapeXML(tok.before); err == nil {
				err = s.text(v)
			}
			if err != nil {
				return nil, err
			}
			s.textAt = len(s.stack)
		}
		switch {
		case tok.end && len(s.stack) == 0:
			return nil, fmt.Errorf("unexpected </%s>", tok.local)
		case tok.end:
			err = s.end()
		case !tok.selfClosing && len(s.stack) > 0 && elemOf(tok.local) == otherElem:
			// Nothing kept is inside an element the scan does not follow.
			err = x.skip()
		default:
			s.start(elemOf(tok.local))
			if tok.selfClosing {
				err = s.end()
			}
		}
		if err != nil {
			return nil, err
		}
		if len(s.stack) == 0 {
			return s.out, nil // the root is closed; the rest is not read
		}
	}
}
