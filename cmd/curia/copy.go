package main

import (
	"context"
	"fmt"
)

// cmdCopy looks up the copy id printed on a watermarked page: whose copy
// it was, of which document version, and when it was made.
func cmdCopy(ctx context.Context, e env, args []string) error {
	if len(args) > 0 && isHelp(args[0]) {
		args = []string{"lookup", "--help"}
	}
	if len(args) == 0 || args[0] != "lookup" {
		return usageError{"usage: curia copy lookup COPY-ID (the id printed on a watermarked page)"}
	}
	var copyID string
	cfg, err := loadConfig(e, "copy lookup",
		"Tell whose watermarked copy a copy id names: curia copy lookup COPY-ID [flags], where COPY-ID is\n"+
			"the id printed on a watermarked page (a leaked page, say). It only reads the database, which must exist.",
		withoutPositional(args[1:], &copyID), nil)
	if err != nil {
		return err
	}
	if copyID == "" {
		return usageError{"give the copy id, e.g. curia copy lookup 7KQ2M9XA4B"}
	}
	a, err := openExistingApp(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	c, err := a.Docs.LookupCopy(ctx, copyID)
	if err != nil {
		return err
	}
	u, err := a.Accounts.User(ctx, c.UserID)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "copy %s\n  reader:   %s (%s, id %s)\n  document: %s, version %d (id %s)\n  meeting:  %s\n  made:     %s\n",
		c.CopyID, u.FullName, u.Username, u.ID, c.Title, c.Version, c.DocumentID, c.MeetingID, c.CreatedAt.Format("2006-01-02 15:04:05 MST"))
	return nil
}

// withoutPositional takes the first argument that is not a flag into *pos
// and returns the rest, so a positional argument may stand before flags.
func withoutPositional(args []string, pos *string) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case *pos == "" && len(a) > 0 && a[0] != '-':
			*pos = a
		default:
			out = append(out, a)
			if (a == "--data" || a == "-data" || a == "--db" || a == "-db") && i+1 < len(args) {
				out = append(out, args[i+1])
				i++
			}
		}
	}
	return out
}

// isHelp reports whether arg asks for help.
func isHelp(arg string) bool {
	switch arg {
	case "-h", "-help", "--help", "help":
		return true
	}
	return false
}
