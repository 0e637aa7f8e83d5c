package main

import (
	"context"
	"fmt"
	"io"

	"github.com/curia/curia/account"
	"github.com/curia/curia/internal/app"
	"github.com/curia/curia/internal/apperr"
)

// demoPassword is printed at start; the demo is for trying Curia out on
// one machine, never for real meetings.
const demoPassword = "curia-demo"

type demoUser struct {
	username, fullName string
	admin              bool
}

var demoUsers = []demoUser{
	{"admin", "Quản trị hệ thống", true},
	{"chutri", "Nguyễn Văn An", false},
	{"thuky", "Trần Thị Bình", false},
	{"daibieu1", "Lê Minh Châu", false},
	{"daibieu2", "Phạm Thu Dung", false},
	{"daibieu3", "Hoàng Quốc Em", false},
	{"daibieu4", "Vũ Thị Giang", false},
	{"daibieu5", "Đặng Hữu Hải", false},
	{"daibieu6", "Bùi Thị Hạnh", false},
	{"daibieu7", "Đỗ Văn Khoa", false},
	{"daibieu8", "Ngô Thị Lan", false},
	{"quansat", "Dương Văn Minh", false},
}

// seedDemo creates the demo users (once) and prints the logins.
func seedDemo(ctx context.Context, a *app.App, out io.Writer) error {
	for _, u := range demoUsers {
		_, err := a.Accounts.CreateUser(ctx, nil, account.NewUser{Username: u.username, Password: demoPassword, FullName: u.fullName, IsAdmin: u.admin}, "")
		if err != nil && !apperr.Is(err, apperr.Conflict) {
			return err
		}
	}
	fmt.Fprintf(out, "Demo logins (password %q for all):\n", demoPassword)
	for _, u := range demoUsers {
		fmt.Fprintf(out, "  %-10s %s\n", u.username, u.fullName)
	}
	return nil
}
