package world

// Seed generates the sandbox's world for a seed. The same seed always gives
// the same world.
func Seed(seed int64) *World {
	w := New("111122223333")
	w.Seed = seed
	w.UserName = "sandbox"
	for _, r := range []string{"us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1", "ap-northeast-1"} {
		w.AddRegion(r)
	}
	return w
}
