package app

import "testing"

// CURIA_LOGIN_PER_CLIENT sets the sign-in attempts allowed per client
// address (the default, 30 a minute, is the account package's).
func TestLoginPerClientFromEnv(t *testing.T) {
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == "CURIA_LOGIN_PER_CLIENT" {
				return v
			}
			return ""
		}
	}
	c, err := FromEnv(env("500"))
	if err != nil || c.LoginLimits.PerClient != 500 {
		t.Fatalf("CURIA_LOGIN_PER_CLIENT=500: %+v, %v", c.LoginLimits, err)
	}
	c, err = FromEnv(env(""))
	if err != nil || c.LoginLimits.PerClient != 0 {
		t.Fatalf("unset: %+v, %v (want 0: the default applies)", c.LoginLimits, err)
	}
	for _, bad := range []string{"0", "-3", "lots", "100001"} {
		if _, err := FromEnv(env(bad)); err == nil {
			t.Errorf("CURIA_LOGIN_PER_CLIENT=%q was accepted", bad)
		}
	}
}
