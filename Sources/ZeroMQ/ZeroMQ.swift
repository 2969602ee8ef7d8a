// The ZeroMQ module.
