package dev.chatstream.core;

class InMemoryAdmissionLimitsTest extends AdmissionLimitsContract {
    private final InMemoryAdmissionLimits limits = new InMemoryAdmissionLimits();

    @Override
    protected AdmissionLimits limits() {
        return limits;
    }
}
