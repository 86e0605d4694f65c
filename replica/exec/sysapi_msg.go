package exec

import (
	"unicode/utf8"
)

// Message access and responding (spec §7.4, §7.5).
var msgFuncs = []hostFunc{
	{name: "msg_arg_data_size", results: "I", allowed: contexts("I U RQ NRQ CQ Ry CRy F"), fn: func(x *execution, _ []uint64) (uint64, error) {
		return uint64(len(x.inv.Arg)), nil
	}},
	{name: "msg_arg_data_copy", params: "III", allowed: contexts("I U RQ NRQ CQ Ry CRy F"), fn: func(x *execution, a []uint64) (uint64, error) {
		return 0, x.copyOut("msg_arg_data_copy", a[0], a[1], a[2], x.inv.Arg)
	}},
	{name: "msg_caller_size", results: "I", allowed: ctxAll, fn: func(x *execution, _ []uint64) (uint64, error) {
		return uint64(len(x.inv.Caller)), nil
	}},
	{name: "msg_caller_copy", params: "III", allowed: ctxAll, fn: func(x *execution, a []uint64) (uint64, error) {
		return 0, x.copyOut("msg_caller_copy", a[0], a[1], a[2], x.inv.Caller)
	}},
	{name: "msg_reject_code", results: "i", allowed: contexts("Ry Rt CRy CRt"), fn: func(x *execution, _ []uint64) (uint64, error) {
		if x.ctx&(ctxRt|ctxCRt) == 0 {
			return 0, nil
		}
		return uint64(x.inv.RejectCode), nil
	}},
	{name: "msg_reject_msg_size", results: "I", allowed: contexts("Rt CRt"), fn: func(x *execution, _ []uint64) (uint64, error) {
		return uint64(len(x.inv.RejectMessage)), nil
	}},
	{name: "msg_reject_msg_copy", params: "III", allowed: contexts("Rt CRt"), fn: func(x *execution, a []uint64) (uint64, error) {
		return 0, x.copyOut("msg_reject_msg_copy", a[0], a[1], a[2], []byte(x.inv.RejectMessage))
	}},
	{name: "msg_deadline", results: "l", allowed: contexts("U Q CQ Ry Rt CRy CRt"), fn: func(x *execution, _ []uint64) (uint64, error) {
		return x.inv.Deadline, nil
	}},
	{name: "msg_reply_data_append", params: "II", allowed: contexts("U RQ NRQ CQ Ry Rt CRy CRt"), fn: msgReplyDataAppend},
	{name: "msg_reply", allowed: contexts("U RQ NRQ CQ Ry Rt CRy CRt"), fn: msgReply},
	{name: "msg_reject", params: "II", allowed: contexts("U RQ NRQ CQ Ry Rt CRy CRt"), fn: msgReject},
	{name: "msg_method_name_size", results: "I", allowed: contexts("F"), fn: func(x *execution, _ []uint64) (uint64, error) {
		return uint64(len(x.inv.Method)), nil
	}},
	{name: "msg_method_name_copy", params: "III", allowed: contexts("F"), fn: func(x *execution, a []uint64) (uint64, error) {
		return 0, x.copyOut("msg_method_name_copy", a[0], a[1], a[2], []byte(x.inv.Method))
	}},
	{name: "accept_message", allowed: contexts("F"), fn: func(x *execution, _ []uint64) (uint64, error) {
		if x.res.Accepted {
			return 0, contractViolation("ic0.accept_message: the message was already accepted")
		}
		x.res.Accepted = true
		return 0, nil
	}},
}

func (x *execution) checkCanRespond(fn string) error {
	if x.responded {
		return contractViolation("ic0.%s: the call was already replied to or rejected", fn)
	}
	return nil
}

func msgReplyDataAppend(x *execution, a []uint64) (uint64, error) {
	if err := x.checkCanRespond("msg_reply_data_append"); err != nil {
		return 0, err
	}
	if uint64(len(x.replyBuf))+a[1] > maxPayload {
		return 0, contractViolation("ic0.msg_reply_data_append: application payload size (%d) cannot be larger than %d", uint64(len(x.replyBuf))+a[1], maxPayload)
	}
	data, err := x.read("msg_reply_data_append", a[0], a[1])
	if err != nil {
		return 0, err
	}
	x.replyBuf = append(x.replyBuf, data...)
	return 0, nil
}

func msgReply(x *execution, _ []uint64) (uint64, error) {
	if err := x.checkCanRespond("msg_reply"); err != nil {
		return 0, err
	}
	x.responded = true
	x.res.Replied = true
	x.res.Reply = x.replyBuf
	if x.res.Reply == nil {
		x.res.Reply = []byte{}
	}
	x.replyBuf = nil
	return 0, nil
}

func msgReject(x *execution, a []uint64) (uint64, error) {
	if err := x.checkCanRespond("msg_reject"); err != nil {
		return 0, err
	}
	data, err := x.read("msg_reject", a[0], a[1])
	if err != nil {
		return 0, err
	}
	if !utf8.Valid(data) {
		return 0, contractViolation("ic0.msg_reject: the reject message is not valid UTF-8")
	}
	msg := string(data)
	x.responded = true
	x.res.Reject = &msg
	x.replyBuf = nil
	return 0, nil
}
