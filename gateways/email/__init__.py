"""The e-mail channel (Đ5.1d): an SMTP server that turns each message into a submission through
intake's gRPC API and answers the sender by e-mail. See docs/email-gateway.md."""
