//! The prm contracts, compiled: one module per protobuf package, and the
//! encoded file descriptor set for gRPC server reflection.

pub mod common {
    pub mod v1 {
        tonic::include_proto!("prm.common.v1");
    }
}
pub mod record {
    pub mod v1 {
        tonic::include_proto!("prm.record.v1");
    }
}
pub mod account {
    pub mod v1 {
        tonic::include_proto!("prm.account.v1");
    }
}

pub mod quote {
    pub mod v1 {
        tonic::include_proto!("prm.quote.v1");
    }
}
pub mod order {
    pub mod v1 {
        tonic::include_proto!("prm.order.v1");
    }
}
pub mod task {
    pub mod v1 {
        tonic::include_proto!("prm.task.v1");
    }
}
pub mod project {
    pub mod v1 {
        tonic::include_proto!("prm.project.v1");
    }
}
pub mod lead {
    pub mod v1 {
        tonic::include_proto!("prm.lead.v1");
    }
}
pub mod case {
    pub mod v1 {
        tonic::include_proto!("prm.case.v1");
    }
}
pub mod report {
    pub mod v1 {
        tonic::include_proto!("prm.report.v1");
    }
}
pub mod outbox {
    pub mod v1 {
        tonic::include_proto!("prm.outbox.v1");
    }
}

/// Every prm package, for `tonic_reflection`.
pub const FILE_DESCRIPTOR_SET: &[u8] = tonic::include_file_descriptor_set!("prm_descriptor");
