package awsapi

import "testing"

func TestNamesInstance(t *testing.T) {
	msg := "api error InvalidInstanceID.NotFound: The instance IDs 'i-0abc1234, i-0123456789abcdef0' do not exist"
	for id, want := range map[string]bool{"i-0abc1234": true, "i-0123456789abcdef0": true, "i-0abc": false, "i-0123456789abcdef": false, "i-9": false} {
		if got := NamesInstance(msg, id); got != want {
			t.Errorf("%s: %v, want %v", id, got, want)
		}
	}
}
