//! Engines that run a policy over tickets: business time, evaluation, replay aggregation.

pub mod business;
