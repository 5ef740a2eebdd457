package kitchen

// The server's side, written once for every generation: the generated
// handlers (gen_*.go) call unary and Stream, which make messages by type
// name through pbjson.

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"gogrpctrace/tests/targets/internal/pbjson"
)

// answer is the reply of a unary method (the request is not looked at),
// or the error the call's metadata asks for.
func answer(ctx context.Context, name string) (interface{}, error) {
	if err := wantedStatus(ctx); err != nil {
		return nil, err
	}
	replies, err := canned(ctx, name)
	if err != nil {
		return nil, err
	}
	return message(Methods[name].RespType, replies[0])
}

// Stream serves a streaming method: Watch sends its canned tickets (the
// generated handler has read the request), Stock reads every delivery and
// sends its report, Chat sends each note back as it arrives. Each then
// ends with the status the metadata asks for.
func Stream(st grpc.ServerStream, name string) error {
	m := Methods[name]
	switch m.Kind {
	case ServerStream:
		replies, err := canned(st.Context(), name)
		if err != nil {
			return err
		}
		for _, js := range replies {
			if err := send(st, m.RespType, js); err != nil {
				return err
			}
		}
	case ClientStream:
		if err := drain(st, m.ReqType, false); err != nil {
			return err
		}
		if err := wantedStatus(st.Context()); err != nil {
			return err
		}
		replies, err := canned(st.Context(), name)
		if err != nil {
			return err
		}
		return send(st, m.RespType, replies[0])
	case Bidi:
		if err := drain(st, m.ReqType, true); err != nil {
			return err
		}
	}
	return wantedStatus(st.Context())
}

// drain reads messages until the client closes its side, sending each
// back when echo is set.
func drain(st grpc.ServerStream, typ string, echo bool) error {
	for {
		in, err := pbjson.New(typ)
		if err != nil {
			return status.Error(codes.Internal, err.Error())
		}
		err = st.RecvMsg(in)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if echo {
			if err := st.SendMsg(in); err != nil {
				return err
			}
		}
	}
}

func send(st grpc.ServerStream, typ, js string) error {
	out, err := message(typ, js)
	if err != nil {
		return err
	}
	return st.SendMsg(out)
}

// message makes a message of type typ from its JSON.
func message(typ, js string) (interface{}, error) {
	m, err := pbjson.New(typ)
	if err == nil {
		err = pbjson.FromJSON(m, js)
	}
	if err != nil {
		return nil, status.Errorf(codes.Internal, "%s: %v", typ, err)
	}
	return m, nil
}

// canned: the replies of the method name, or of the name in x-reply.
func canned(ctx context.Context, name string) ([]string, error) {
	if v := first(ctx, KeyReply); v != "" {
		name = v
	}
	r := cannedReplies[name]
	if len(r) == 0 {
		return nil, status.Errorf(codes.InvalidArgument, "no canned reply %q", name)
	}
	return r, nil
}

// wantedStatus is the error x-want-code and x-want-message ask for, or nil.
func wantedStatus(ctx context.Context) error {
	v := first(ctx, KeyWantCode)
	if v == "" {
		return nil
	}
	code, err := strconv.Atoi(v)
	if err != nil {
		return status.Error(codes.InvalidArgument, fmt.Sprintf("%s: %q is not a number", KeyWantCode, v))
	}
	return status.Error(codes.Code(code), first(ctx, KeyWantMessage))
}

func first(ctx context.Context, key string) string {
	md, _ := metadata.FromIncomingContext(ctx)
	if v := md.Get(key); len(v) > 0 {
		return v[0]
	}
	return ""
}

// unary is answer as the generated interface's reply type T.
func unary[T any](ctx context.Context, name string) (T, error) {
	out, err := answer(ctx, name)
	if err != nil {
		var none T
		return none, err
	}
	return out.(T), nil
}
