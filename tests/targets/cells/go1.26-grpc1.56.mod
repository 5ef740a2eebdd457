module gogrpctrace/tests/targets

go 1.21

require (
	github.com/golang/protobuf v1.5.3
	golang.org/x/net v0.9.0
	google.golang.org/grpc v1.56.3
	google.golang.org/protobuf v1.30.0
)

require (
	golang.org/x/sys v0.7.0 // indirect
	golang.org/x/text v0.9.0 // indirect
	google.golang.org/genproto v0.0.0-20230410155749-daa745c078e1 // indirect
)
