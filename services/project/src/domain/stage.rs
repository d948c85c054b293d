//! Record types, stages and the path each record type walks.
//!
//! | new business | existing customer |
//! |---|---|
//! | Intro / Qualification | |
//! | Demo | |
//! | Project Presentation | Presentation |
//! | Proposal | Proposal |
//! | Contract out *(automatic)* | Contract out *(automatic)* |
//! | Order Management *(automatic)* | Order Management *(automatic)* |
//! | Closed won *(automatic)* | Closed won *(automatic)* |
//!
//! Closed lost is on neither path: a user may close any open project as lost
//! (see [`crate::domain::moves::close_lost`]). A [`Position`] pairs a record
//! type with a stage of its own, so a project can never sit on another
//! type's stage.

use prm_kit::{Error, Result};

prm_kit::text_enum!(
    /// The kind of sale, chosen when the project is created; each has its own path.
    RecordType {
        NewBusiness => "new_business",
        ExistingCustomer => "existing_customer",
    }
);

prm_kit::text_enum!(
    /// Every stage of either path, plus closed lost.
    Stage {
        IntroQualification => "intro_qualification",
        Demo => "demo",
        ProjectPresentation => "project_presentation",
        Presentation => "presentation",
        Proposal => "proposal",
        ContractOut => "contract_out",
        OrderManagement => "order_management",
        ClosedWon => "closed_won",
        ClosedLost => "closed_lost",
    }
);

use Stage::*;

const NEW_BUSINESS: &[Stage] =
    &[IntroQualification, Demo, ProjectPresentation, Proposal, ContractOut, OrderManagement, ClosedWon];
const EXISTING_CUSTOMER: &[Stage] = &[Presentation, Proposal, ContractOut, OrderManagement, ClosedWon];

impl RecordType {
    pub const ALL: [RecordType; 2] = [RecordType::NewBusiness, RecordType::ExistingCustomer];

    /// The stages of this record type in order, from the first to closed won.
    pub fn path(self) -> &'static [Stage] {
        match self {
            RecordType::NewBusiness => NEW_BUSINESS,
            RecordType::ExistingCustomer => EXISTING_CUSTOMER,
        }
    }

    /// Where a new project of this type starts.
    pub fn first_stage(self) -> Stage {
        self.path()[0]
    }

    /// The place of `stage` on this type's path; `None` for closed lost and
    /// for the other type's stages.
    pub fn index_of(self, stage: Stage) -> Option<usize> {
        self.path().iter().position(|s| *s == stage)
    }

    /// May a project of this type be in `stage`? Its path, or closed lost.
    pub fn has(self, stage: Stage) -> bool {
        stage == ClosedLost || self.index_of(stage).is_some()
    }

    /// Every stage a project of this type can be in, in board order (the
    /// Kanban columns): the path, then closed lost.
    pub fn stages(self) -> impl Iterator<Item = Stage> {
        self.path().iter().copied().chain([ClosedLost])
    }

    /// The stage after `stage` on the path, if any.
    pub fn next_after(self, stage: Stage) -> Option<Stage> {
        self.index_of(stage).and_then(|i| self.path().get(i + 1)).copied()
    }

    /// The name people read.
    pub fn label(self) -> &'static str {
        match self {
            RecordType::NewBusiness => "new business",
            RecordType::ExistingCustomer => "existing customer",
        }
    }

    /// The path for messages: `Presentation → Proposal → …`.
    pub fn describe_path(self) -> String {
        self.path().iter().map(|s| s.label()).collect::<Vec<_>>().join(" → ")
    }
}

impl Stage {
    pub const ALL: [Stage; 9] = [
        IntroQualification,
        Demo,
        ProjectPresentation,
        Presentation,
        Proposal,
        ContractOut,
        OrderManagement,
        ClosedWon,
        ClosedLost,
    ];

    /// The name people read on the board and in messages.
    pub fn label(self) -> &'static str {
        match self {
            IntroQualification => "Intro / Qualification",
            Demo => "Demo",
            ProjectPresentation => "Project Presentation",
            Presentation => "Presentation",
            Proposal => "Proposal",
            ContractOut => "Contract out",
            OrderManagement => "Order Management",
            ClosedWon => "Closed won",
            ClosedLost => "Closed lost",
        }
    }

    /// Stages only events of other services enter: the primary quote's
    /// contract sent, an order placed from it, that order completed.
    pub fn is_automatic(self) -> bool {
        matches!(self, ContractOut | OrderManagement | ClosedWon)
    }

    pub fn is_closed(self) -> bool {
        matches!(self, ClosedWon | ClosedLost)
    }

    /// Open: not closed, so it can still be won or lost.
    pub fn is_open(self) -> bool {
        !self.is_closed()
    }

    /// Stages users move projects between by hand.
    pub fn is_manual(self) -> bool {
        !self.is_automatic() && !self.is_closed()
    }

    /// A dense index, for per-stage tables.
    pub(crate) fn ordinal(self) -> usize {
        self as usize
    }
}

/// A record type and a stage of it: where a project stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Position {
    record_type: RecordType,
    stage: Stage,
}

impl Position {
    /// A project of `record_type` in `stage`; refused if the stage is not one
    /// of that type (e.g. an existing-customer project in Demo).
    pub fn new(record_type: RecordType, stage: Stage) -> Result<Position> {
        if !record_type.has(stage) {
            return Err(Error::invalid(
                "stage",
                format!(
                    "{} is not on the {} path ({})",
                    stage.label(),
                    record_type.label(),
                    record_type.describe_path()
                ),
            ));
        }
        Ok(Position { record_type, stage })
    }

    /// A new project of `record_type`, at the start of its path.
    pub fn start(record_type: RecordType) -> Position {
        Position { record_type, stage: record_type.first_stage() }
    }

    pub fn record_type(self) -> RecordType {
        self.record_type
    }

    pub fn stage(self) -> Stage {
        self.stage
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_lists_every_stage_in_declaration_order() {
        let names: Vec<&str> = Stage::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(names, Stage::NAMES);
        for (i, s) in Stage::ALL.iter().enumerate() {
            assert_eq!(s.ordinal(), i);
        }
        let names: Vec<&str> = RecordType::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(names, RecordType::NAMES);
    }

    #[test]
    fn enums_round_trip_their_names() {
        for n in Stage::NAMES {
            assert_eq!(n.parse::<Stage>().unwrap().as_str(), *n);
        }
        for n in RecordType::NAMES {
            assert_eq!(n.parse::<RecordType>().unwrap().as_str(), *n);
        }
        assert!("closed".parse::<Stage>().is_err());
    }

    #[test]
    fn each_record_type_walks_its_documented_path() {
        assert_eq!(
            RecordType::NewBusiness.path(),
            [IntroQualification, Demo, ProjectPresentation, Proposal, ContractOut, OrderManagement, ClosedWon]
        );
        assert_eq!(
            RecordType::ExistingCustomer.path(),
            [Presentation, Proposal, ContractOut, OrderManagement, ClosedWon]
        );
        assert_eq!(RecordType::NewBusiness.first_stage(), IntroQualification);
        assert_eq!(RecordType::ExistingCustomer.first_stage(), Presentation);
        assert_eq!(RecordType::NewBusiness.next_after(Demo), Some(ProjectPresentation));
        assert_eq!(RecordType::ExistingCustomer.next_after(Presentation), Some(Proposal));
        assert_eq!(RecordType::ExistingCustomer.next_after(ClosedWon), None);
        assert_eq!(RecordType::ExistingCustomer.next_after(Demo), None);
        assert_eq!(
            RecordType::ExistingCustomer.describe_path(),
            "Presentation → Proposal → Contract out → Order Management → Closed won"
        );
    }

    #[test]
    fn the_board_shows_the_path_then_closed_lost() {
        let cols: Vec<Stage> = RecordType::ExistingCustomer.stages().collect();
        assert_eq!(cols, [Presentation, Proposal, ContractOut, OrderManagement, ClosedWon, ClosedLost]);
        assert_eq!(RecordType::NewBusiness.stages().count(), 8);
    }

    #[test]
    fn contract_out_order_management_and_closed_won_are_automatic() {
        let automatic: Vec<Stage> = Stage::ALL.into_iter().filter(|s| s.is_automatic()).collect();
        assert_eq!(automatic, [ContractOut, OrderManagement, ClosedWon]);
        let manual: Vec<Stage> = Stage::ALL.into_iter().filter(|s| s.is_manual()).collect();
        assert_eq!(manual, [IntroQualification, Demo, ProjectPresentation, Presentation, Proposal]);
        let closed: Vec<Stage> = Stage::ALL.into_iter().filter(|s| s.is_closed()).collect();
        assert_eq!(closed, [ClosedWon, ClosedLost]);
    }

    #[test]
    fn a_position_holds_only_a_stage_of_its_record_type() {
        let nb_only = [IntroQualification, Demo, ProjectPresentation];
        for stage in Stage::ALL {
            let nb = Position::new(RecordType::NewBusiness, stage);
            assert_eq!(nb.is_ok(), stage != Presentation, "new business in {stage}");
            let ec = Position::new(RecordType::ExistingCustomer, stage);
            assert_eq!(ec.is_ok(), !nb_only.contains(&stage), "existing customer in {stage}");
        }
        let err = Position::new(RecordType::ExistingCustomer, Demo).unwrap_err();
        assert!(matches!(&err, Error::Invalid { field, .. } if field == "stage"), "{err}");
        assert!(
            err.to_string().contains("Demo is not on the existing customer path (Presentation → Proposal"),
            "{err}"
        );
        assert_eq!(Position::start(RecordType::NewBusiness).stage(), IntroQualification);
    }
}
