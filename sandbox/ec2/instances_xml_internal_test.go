package ec2

import (
	"bytes"
	"encoding/xml"
	"testing"

	"github.com/winami/winami/sandbox/world"
)

// TestDescribeInstancesXMLMatchesStruct: the hand-written reply is what
// encoding/xml makes of the documented result struct.
func TestDescribeInstancesXMLMatchesStruct(t *testing.T) {
	w := world.Seed(1)
	page := w.SortedInstances("us-east-1")
	if len(page) == 0 {
		t.Fatal("no instances seeded")
	}
	page[0].Tags["a&b"] = "<x>" // escaping
	want := describeInstancesResult{NextToken: "tok"}
	for _, inst := range page {
		want.Reservations.Items = append(want.Reservations.Items, reservationItem{
			ReservationID: inst.ReservationID,
			OwnerID:       w.AccountID,
			Instances:     []instanceItem{toInstanceItem(inst)},
		})
	}
	var b bytes.Buffer
	if err := xml.NewEncoder(&b).EncodeElement(want, xml.StartElement{Name: xml.Name{Local: "x"}}); err != nil {
		t.Fatal(err)
	}
	wantXML := bytes.TrimSuffix(bytes.TrimPrefix(b.Bytes(), []byte("<x>")), []byte("</x>"))
	got := appendInstancesXML(nil, w.AccountID, page, "tok")
	if !bytes.Equal(got, wantXML) {
		t.Errorf("hand-written XML differs:\n got %s\nwant %s", got, wantXML)
	}
}
