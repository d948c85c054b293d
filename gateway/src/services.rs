//! The gateway's view of the services: one lazily connected gRPC channel per
//! service, and clients that call on behalf of the signed-in person.

use std::time::Duration;

use axum::extract::{FromRef, FromRequestParts};
use http::request::Parts;
use prm_kit::{
    Caller,
    auth::{CallerInterceptor, InternalKey},
};
use prm_proto::{
    account::v1::account_service_client::AccountServiceClient,
    lead::v1::lead_service_client::LeadServiceClient,
    order::v1::order_service_client::OrderServiceClient,
    project::v1::project_service_client::ProjectServiceClient,
    quote::v1::quote_service_client::QuoteServiceClient,
    record::v1::{
        aggregate_service_client::AggregateServiceClient, record_service_client::RecordServiceClient,
        search_service_client::SearchServiceClient,
    },
};
use tonic::{service::interceptor::InterceptedService, transport::Channel};

use crate::{
    auth::{Auth, AuthUser},
    identity,
    problem::Problem,
};

type Intercepted = InterceptedService<Channel, CallerInterceptor>;
pub type AccountClient = AccountServiceClient<Intercepted>;
pub type LeadClient = LeadServiceClient<Intercepted>;
pub type RecordClient = RecordServiceClient<Intercepted>;
pub type ViewClient = prm_proto::record::v1::view_service_client::ViewServiceClient<Intercepted>;
pub type QuoteClient = QuoteServiceClient<Intercepted>;
pub type OrderClient = OrderServiceClient<Intercepted>;
pub type ProjectClient = ProjectServiceClient<Intercepted>;
pub type TaskClient = prm_proto::task::v1::task_service_client::TaskServiceClient<Intercepted>;
pub type SearchClient = SearchServiceClient<Intercepted>;
pub type AggregateClient = AggregateServiceClient<Intercepted>;
pub type CaseClient = prm_proto::case::v1::case_service_client::CaseServiceClient<Intercepted>;
pub type ReportClient = prm_proto::report::v1::report_service_client::ReportServiceClient<Intercepted>;

/// Where the services are; a service not configured is not offered.
#[derive(Clone)]
pub struct Services {
    pub key: InternalKey,
    pub account: Channel,
    pub lead: Channel,
    pub quote: Channel,
    pub order: Channel,
    pub project: Channel,
    pub task: Channel,
    pub case: Channel,
    pub report: Channel,
}

impl Services {
    /// Channels connect on first use and reconnect after a service restarts,
    /// so the gateway starts whatever order processes come up in.
    /// Fails at start when a service's URL is missing or malformed, not at
    /// the first request.
    pub fn new(key: InternalKey, urls: &std::collections::BTreeMap<&'static str, String>) -> anyhow::Result<Services> {
        let channel = |name: &str| -> anyhow::Result<Channel> {
            let url = urls.get(name).ok_or_else(|| anyhow::anyhow!("no URL for the {name} service"))?;
            lazy_channel(url).map_err(|e| anyhow::anyhow!("the {name} service URL `{url}`: {e}"))
        };
        Ok(Services {
            key,
            account: channel("account")?,
            lead: channel("lead")?,
            quote: channel("quote")?,
            order: channel("order")?,
            project: channel("project")?,
            task: channel("task")?,
            case: channel("case")?,
            report: channel("report")?,
        })
    }
}

impl Services {
    /// Every service that owns records, by name: where global search and the
    /// home statistics fan out to.
    pub fn record_services(&self) -> [(&'static str, &Channel); 7] {
        [
            ("account", &self.account),
            ("lead", &self.lead),
            ("project", &self.project),
            ("quote", &self.quote),
            ("order", &self.order),
            ("task", &self.task),
            ("case", &self.case),
        ]
    }
}

fn lazy_channel(url: &str) -> anyhow::Result<Channel> {
    Ok(Channel::from_shared(url.to_string())?
        .connect_timeout(Duration::from_secs(2))
        .timeout(Duration::from_secs(15))
        .tcp_nodelay(true)
        .connect_lazy())
}

/// The signed-in person, ready to call services on their behalf.
pub struct Acting {
    pub user: AuthUser,
    pub caller: Caller,
    pub auth: Auth,
    services: Services,
    /// The caller's internal token, signed once per request however many
    /// services the request calls (home and search call seven).
    interceptor: std::sync::OnceLock<CallerInterceptor>,
}

impl Acting {
    fn interceptor(&self) -> Result<CallerInterceptor, Problem> {
        if let Some(i) = self.interceptor.get() {
            return Ok(i.clone());
        }
        let i = CallerInterceptor::new(&self.services.key, &self.caller).map_err(Problem::internal)?;
        Ok(self.interceptor.get_or_init(|| i).clone())
    }

    pub fn accounts(&self) -> Result<AccountClient, Problem> {
        Ok(AccountServiceClient::with_interceptor(self.services.account.clone(), self.interceptor()?))
    }

    pub fn leads(&self) -> Result<LeadClient, Problem> {
        Ok(LeadServiceClient::with_interceptor(self.services.lead.clone(), self.interceptor()?))
    }

    pub fn quotes(&self) -> Result<QuoteClient, Problem> {
        Ok(QuoteServiceClient::with_interceptor(self.services.quote.clone(), self.interceptor()?))
    }

    pub fn orders(&self) -> Result<OrderClient, Problem> {
        Ok(OrderServiceClient::with_interceptor(self.services.order.clone(), self.interceptor()?))
    }

    pub fn projects(&self) -> Result<ProjectClient, Problem> {
        Ok(ProjectServiceClient::with_interceptor(self.services.project.clone(), self.interceptor()?))
    }

    pub fn tasks(&self) -> Result<TaskClient, Problem> {
        Ok(prm_proto::task::v1::task_service_client::TaskServiceClient::with_interceptor(
            self.services.task.clone(),
            self.interceptor()?,
        ))
    }

    pub fn cases(&self) -> Result<CaseClient, Problem> {
        Ok(prm_proto::case::v1::case_service_client::CaseServiceClient::with_interceptor(
            self.services.case.clone(),
            self.interceptor()?,
        ))
    }

    pub fn reports(&self) -> Result<ReportClient, Problem> {
        Ok(prm_proto::report::v1::report_service_client::ReportServiceClient::with_interceptor(
            self.services.report.clone(),
            self.interceptor()?,
        ))
    }

    /// Global search in one service.
    pub fn search(&self, channel: &Channel) -> Result<SearchClient, Problem> {
        Ok(SearchServiceClient::with_interceptor(channel.clone(), self.interceptor()?))
    }

    /// Counts and sums in one service.
    pub fn aggregates(&self, channel: &Channel) -> Result<AggregateClient, Problem> {
        Ok(AggregateServiceClient::with_interceptor(channel.clone(), self.interceptor()?))
    }

    /// The record features of the service that owns `collection`.
    pub fn records(&self, channel: &Channel) -> Result<RecordClient, Problem> {
        Ok(RecordServiceClient::with_interceptor(channel.clone(), self.interceptor()?)
            .max_decoding_message_size(prm_kit::record::MAX_MESSAGE_BYTES)
            .max_encoding_message_size(prm_kit::record::MAX_MESSAGE_BYTES))
    }

    /// The saved list views of the service behind `channel`.
    pub fn views(&self, channel: &Channel) -> Result<ViewClient, Problem> {
        Ok(prm_proto::record::v1::view_service_client::ViewServiceClient::with_interceptor(
            channel.clone(),
            self.interceptor()?,
        ))
    }

    pub fn services(&self) -> &Services {
        &self.services
    }
}

impl<S> FromRequestParts<S> for Acting
where
    S: Send + Sync,
    Auth: FromRef<S>,
    Services: FromRef<S>,
{
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        let user = AuthUser::from_request_parts(parts, state).await?;
        let auth = Auth::from_ref(state);
        // Account managers see the partners assigned to them now, not when
        // their token was issued.
        let assigned_partners = if user.role == identity::Role::AccountManager {
            auth.identity().assigned_partners(user.user_id).await.map_err(Problem::from)?
        } else {
            vec![]
        };
        let caller = Caller {
            user_id: user.user_id,
            partner_id: user.partner_id,
            role: user.role.into(),
            assigned_partners,
            partner_tier: user.partner_tier.clone(),
        };
        Ok(Acting { user, caller, auth, services: Services::from_ref(state), interceptor: Default::default() })
    }
}
