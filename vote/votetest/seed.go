// Package votetest fills a meeting with many voters at once, for the vote
// package's load tests and the curia-votebench command. It is never part
// of the server.
package votetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/curia/curia/account"
	"github.com/curia/curia/internal/app"
	"github.com/curia/curia/internal/ids"
)

// Voter is one seeded delegate and a session token for them.
type Voter struct {
	UserID string
	Token  string
}

// participantRow mirrors meeting's meeting_participants table, for the
// bulk insert below only.
type participantRow struct {
	MeetingID        string
	UserID           string
	Role             string
	CanVote          bool
	Weight           int
	AddedAt          time.Time
	Attendance       string
	AttendanceReason string
	RecordedBy       string
}

func (participantRow) TableName() string { return "meeting_participants" }

// Seed creates n users, makes them voting delegates of the meeting (checked
// in as present when present is set) and opens a session for each.
//
// Users and sessions go through the account service, several at a time.
// Participants are inserted in bulk straight into the meeting's table:
// meeting.Service.PutParticipant republishes the whole participant list
// after every call, so adding n people one by one costs O(n²) and 5,000
// take many minutes. A bulk method on the meeting service would replace
// this shortcut; until then this is the one place that knows that table.
func Seed(ctx context.Context, a *app.App, meetingID string, n int, present bool) ([]Voter, error) {
	tag := ids.Short(6)
	voters := make([]Voter, n)
	err := parallel(n, func(i int) error {
		u, err := a.Accounts.CreateUser(ctx, nil, account.NewUser{Username: fmt.Sprintf("v%s.%05d", tag, i),
			Password: "correct horse battery", FullName: fmt.Sprintf("Đại biểu %05d", i)}, "")
		voters[i].UserID = u.ID
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("create users: %w", err)
	}
	if err := addDelegates(ctx, a, meetingID, voters, present); err != nil {
		return nil, fmt.Errorf("add participants: %w", err)
	}
	err = parallel(n, func(i int) error {
		s, err := a.Accounts.IssueSession(ctx, voters[i].UserID)
		voters[i].Token = s.Token
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("open sessions: %w", err)
	}
	return voters, nil
}

func addDelegates(ctx context.Context, a *app.App, meetingID string, voters []Voter, present bool) error {
	now := time.Now().UTC().Truncate(time.Microsecond)
	rows := make([]participantRow, len(voters))
	for i, v := range voters {
		rows[i] = participantRow{MeetingID: meetingID, UserID: v.UserID, Role: "delegate", CanVote: true, Weight: 1, AddedAt: now}
		if present {
			rows[i].Attendance, rows[i].RecordedBy = "present", v.UserID
		}
	}
	return a.DB.Gorm.WithContext(ctx).CreateInBatches(rows, 500).Error
}

// parallel runs fn for 0…n-1 on a few goroutines and returns the first error.
// A call that SQLite refuses because its write lock stayed taken past the
// busy timeout (eight writers on an overloaded machine) is tried again a
// few times: it wrote nothing, and seeding is not what the tests measure.
func parallel(n int, fn func(i int) error) error {
	const workers = 8
	next := make(chan int)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range next {
				err := fn(i)
				for try := 0; err != nil && try < 3 && strings.Contains(err.Error(), "SQLITE_BUSY"); try++ {
					time.Sleep(time.Duration(try+1) * 100 * time.Millisecond)
					err = fn(i)
				}
				if err != nil && errs[w] == nil {
					errs[w] = err
				}
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return errors.Join(errs...)
}
