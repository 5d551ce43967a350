"""What to do next: the dashboard and the seminar page, telling each member which readings are
due, what they wrote, what is new since they last looked and what awaits them as staff."""
