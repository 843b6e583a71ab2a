/**
 * The emulated org's objects: the data table every describe, generator and query reads from.
 */
import { address, audit, idField, isDeleted, type FieldSpec, type ObjectSpec } from './spec.js';

export type { FieldSpec, ObjectSpec } from './spec.js';

const INDUSTRIES = ['Agriculture', 'Banking', 'Chemicals', 'Communications', 'Construction', 'Education', 'Electronics', 'Energy', 'Engineering', 'Finance', 'Healthcare', 'Insurance', 'Media', 'Retail', 'Technology'];

const accountExtra: FieldSpec[] = Array.from({ length: 20 }, (_, i) => ({
  name: `Custom_Text_${String(i + 1).padStart(2, '0')}__c`, type: i % 4 === 3 ? 'textarea' : 'string', length: i % 4 === 3 ? 1000 : 80, custom: true,
}));

export const OBJECTS: ObjectSpec[] = [
  {
    name: 'Account', keyPrefix: '001', label: 'Account', ratio: 1,
    fields: [
      idField(), isDeleted(),
      { name: 'MasterRecordId', type: 'reference', referenceTo: ['Account'], relationshipName: 'MasterRecord', createable: false, updateable: false },
      { name: 'Name', type: 'string', length: 255, nillable: false },
      { name: 'Type', type: 'picklist', length: 40, picklist: ['Prospect', 'Customer - Direct', 'Customer - Channel', 'Channel Partner / Reseller', 'Installation Partner', 'Technology Partner', 'Other'] },
      { name: 'ParentId', type: 'reference', referenceTo: ['Account'], relationshipName: 'Parent' },
      ...address('Billing'), ...address('Shipping'),
      { name: 'Phone', type: 'phone', length: 40 },
      { name: 'Fax', type: 'phone', length: 40 },
      { name: 'AccountNumber', type: 'string', length: 40 },
      { name: 'Website', type: 'url', length: 255 },
      { name: 'Sic', type: 'string', length: 20 },
      { name: 'Industry', type: 'picklist', length: 255, picklist: INDUSTRIES },
      { name: 'AnnualRevenue', type: 'currency', precision: 18, scale: 0 },
      { name: 'NumberOfEmployees', type: 'int', length: 8 },
      { name: 'Ownership', type: 'picklist', length: 40, picklist: ['Public', 'Private', 'Subsidiary', 'Other'] },
      { name: 'TickerSymbol', type: 'string', length: 20 },
      { name: 'Description', type: 'textarea', length: 32000 },
      { name: 'Rating', type: 'picklist', length: 40, picklist: ['Hot', 'Warm', 'Cold'] },
      { name: 'OwnerId', type: 'reference', referenceTo: ['User'], relationshipName: 'Owner', nillable: false },
      ...audit(),
      { name: 'LastActivityDate', type: 'date', createable: false, updateable: false },
      { name: 'Active__c', type: 'boolean', custom: true, nillable: false },
      { name: 'Customer_Since__c', type: 'date', custom: true },
      { name: 'Discount__c', type: 'percent', precision: 5, scale: 2, custom: true },
      { name: 'Tier__c', type: 'multipicklist', length: 4099, picklist: ['Gold', 'Silver', 'Bronze', 'Platinum'], custom: true },
      { name: 'Support_Email__c', type: 'email', length: 80, custom: true },
      { name: 'Region__c', type: 'combobox', length: 40, picklist: ['EMEA', 'AMER', 'APAC'], custom: true },
      { name: 'Tax_Id__c', type: 'encryptedstring', length: 20, custom: true },
      { name: 'Lifetime_Value__c', type: 'double', precision: 18, scale: 2, custom: true },
      { name: 'Credit_Score__c', type: 'long', precision: 18, scale: 0, custom: true },
      { name: 'Opening_Time__c', type: 'time', custom: true },
      ...accountExtra,
    ],
  },
  {
    name: 'Contact', keyPrefix: '003', label: 'Contact', ratio: 2,
    fields: [
      idField(), isDeleted(),
      { name: 'AccountId', type: 'reference', referenceTo: ['Account'], relationshipName: 'Account' },
      { name: 'LastName', type: 'string', length: 80, nillable: false },
      { name: 'FirstName', type: 'string', length: 40 },
      { name: 'Name', type: 'string', length: 121, createable: false, updateable: false },
      ...address('Mailing'),
      { name: 'Phone', type: 'phone', length: 40 },
      { name: 'Email', type: 'email', length: 80 },
      { name: 'Title', type: 'string', length: 128 },
      { name: 'Birthdate', type: 'date' },
      { name: 'HasOptedOutOfEmail', type: 'boolean', nillable: false },
      { name: 'OwnerId', type: 'reference', referenceTo: ['User'], relationshipName: 'Owner', nillable: false },
      ...audit(),
    ],
  },
  {
    name: 'Opportunity', keyPrefix: '006', label: 'Opportunity', ratio: 1,
    fields: [
      idField(), isDeleted(),
      { name: 'AccountId', type: 'reference', referenceTo: ['Account'], relationshipName: 'Account' },
      { name: 'Name', type: 'string', length: 120, nillable: false },
      { name: 'StageName', type: 'picklist', length: 255, nillable: false, picklist: ['Prospecting', 'Qualification', 'Needs Analysis', 'Proposal/Price Quote', 'Negotiation/Review', 'Closed Won', 'Closed Lost'] },
      { name: 'Amount', type: 'currency', precision: 18, scale: 2 },
      { name: 'Probability', type: 'percent', precision: 3, scale: 0 },
      { name: 'CloseDate', type: 'date', nillable: false },
      { name: 'IsClosed', type: 'boolean', nillable: false, createable: false, updateable: false },
      { name: 'OwnerId', type: 'reference', referenceTo: ['User'], relationshipName: 'Owner', nillable: false },
      ...audit(),
    ],
  },
  {
    name: 'User', keyPrefix: '005', label: 'User', ratio: 0, minRows: 25,
    fields: [
      idField(),
      { name: 'Username', type: 'string', length: 80, nillable: false },
      { name: 'Name', type: 'string', length: 121, createable: false, updateable: false },
      { name: 'Email', type: 'email', length: 128, nillable: false },
      { name: 'IsActive', type: 'boolean', nillable: false },
      { name: 'TimeZoneSidKey', type: 'picklist', length: 40, nillable: false, picklist: ['America/Los_Angeles', 'Europe/Paris', 'Asia/Tokyo'] },
      ...audit(),
    ],
  },
  {
    name: 'Invoice__c', keyPrefix: 'a01', label: 'Invoice', custom: true, ratio: 1,
    fields: [
      idField(), isDeleted(),
      { name: 'Name', type: 'string', length: 80, nillable: false },
      { name: 'Account__c', type: 'reference', referenceTo: ['Account'], relationshipName: 'Account__r', custom: true },
      { name: 'Opportunity__c', type: 'reference', referenceTo: ['Opportunity'], relationshipName: 'Opportunity__r', custom: true },
      { name: 'Amount__c', type: 'currency', precision: 16, scale: 2, custom: true },
      { name: 'Tax_Rate__c', type: 'percent', precision: 5, scale: 2, custom: true },
      { name: 'Total__c', type: 'currency', precision: 18, scale: 2, custom: true, calculatedFormula: 'Amount__c * (1 + Tax_Rate__c)', createable: false, updateable: false },
      { name: 'Status__c', type: 'picklist', length: 255, picklist: ['Draft', 'Sent', 'Paid', 'Void'], custom: true },
      { name: 'Due_Date__c', type: 'date', custom: true },
      { name: 'Site__Latitude__s', type: 'double', precision: 18, scale: 15, compoundFieldName: 'Site__c', custom: true },
      { name: 'Site__Longitude__s', type: 'double', precision: 18, scale: 15, compoundFieldName: 'Site__c', custom: true },
      { name: 'Site__c', type: 'location', custom: true, createable: false, updateable: false },
      { name: 'Metadata__c', type: 'json', custom: true },
      { name: 'OwnerId', type: 'reference', referenceTo: ['User'], relationshipName: 'Owner', nillable: false },
      ...audit(),
    ],
  },
  {
    name: 'ContentVersion', keyPrefix: '068', label: 'Content Version', ratio: 0, minRows: 20,
    fields: [
      idField(), isDeleted(),
      { name: 'Title', type: 'string', length: 255, nillable: false },
      { name: 'PathOnClient', type: 'string', length: 500 },
      { name: 'VersionData', type: 'base64' },
      { name: 'ContentSize', type: 'int', length: 9, createable: false, updateable: false },
      ...audit(),
    ],
  },
  {
    name: 'AcceptedEventRelation', keyPrefix: '0RE', label: 'Accepted Event Relation', ratio: 0, minRows: 30, bulkSupported: false,
    fields: [
      idField(), isDeleted(),
      { name: 'RelationId', type: 'reference', referenceTo: ['User'], relationshipName: 'Relation' },
      { name: 'Status', type: 'picklist', length: 40, picklist: ['Accepted'] },
      { name: 'RespondedDate', type: 'datetime' },
      ...audit(),
    ],
  },
  {
    name: 'LoginHistory', keyPrefix: '0Ya', label: 'Login History', ratio: 0, minRows: 40,
    fields: [
      idField(),
      { name: 'UserId', type: 'reference', referenceTo: ['User'], relationshipName: 'User', createable: false, updateable: false },
      { name: 'LoginTime', type: 'datetime', nillable: false, createable: false, updateable: false },
      { name: 'SourceIp', type: 'string', length: 39, createable: false, updateable: false },
      { name: 'Status', type: 'string', length: 128, createable: false, updateable: false },
    ],
  },
  {
    name: 'AccountHistory', keyPrefix: '017', label: 'Account History', ratio: 0, minRows: 40, associateEntityType: 'History', associateParentEntity: 'Account',
    fields: [
      idField(), isDeleted(),
      { name: 'AccountId', type: 'reference', referenceTo: ['Account'], relationshipName: 'Account', createable: false, updateable: false },
      { name: 'Field', type: 'picklist', length: 255, picklist: ['Name', 'Industry', 'created'], createable: false, updateable: false },
      { name: 'OldValue', type: 'anyType', createable: false, updateable: false },
      { name: 'NewValue', type: 'anyType', createable: false, updateable: false },
      { name: 'CreatedDate', type: 'datetime', nillable: false, createable: false, updateable: false },
    ],
  },
  {
    name: 'Wide_Object__c', keyPrefix: 'a02', label: 'Wide Object', custom: true, ratio: 0, minRows: 300,
    fields: [
      idField(), isDeleted(),
      { name: 'Name', type: 'string', length: 80, nillable: false },
      ...Array.from({ length: 820 }, (_, i): FieldSpec => ({
        name: `Measurement_With_A_Long_Descriptive_Name_${String(i + 1).padStart(3, '0')}__c`,
        type: i % 3 === 0 ? 'double' : i % 3 === 1 ? 'string' : 'boolean', length: 40, precision: 18, scale: 4, custom: true,
      })),
      ...audit(),
    ],
  },
  { name: 'UriEventStream', keyPrefix: null, label: 'URI Event Stream', ratio: 0, queryable: false, fields: [idField(), { name: 'EventDate', type: 'datetime' }] },
  { name: 'AccountChangeEvent', keyPrefix: null, label: 'Account Change Event', ratio: 0, associateEntityType: 'ChangeEvent', associateParentEntity: 'Account', fields: [idField(), { name: 'ReplayId', type: 'string', length: 40 }] },
  { name: 'LegacyNote__c', keyPrefix: 'a03', label: 'Legacy Note', custom: true, ratio: 0, deprecatedAndHidden: true, fields: [idField(), { name: 'Name', type: 'string', length: 80 }, ...audit()] },
  // Sales and service objects, with Salesforce's standard field names, types and picklists.
  // Appended after the objects above so those keep their generated values.
  {
    name: 'Lead', keyPrefix: '00Q', label: 'Lead', ratio: 1, mergeable: true,
    fields: [
      idField(), isDeleted(),
      { name: 'MasterRecordId', type: 'reference', referenceTo: ['Lead'], relationshipName: 'MasterRecord', createable: false, updateable: false },
      { name: 'LastName', type: 'string', length: 80, nillable: false },
      { name: 'FirstName', type: 'string', length: 40 },
      { name: 'Salutation', type: 'picklist', length: 40, picklist: ['Mr.', 'Ms.', 'Mrs.', 'Dr.', 'Prof.'] },
      { name: 'Name', type: 'string', length: 121, createable: false, updateable: false },
      { name: 'Title', type: 'string', length: 128 },
      { name: 'Company', type: 'string', length: 255, nillable: false },
      ...address(''),
      { name: 'Phone', type: 'phone', length: 40 },
      { name: 'MobilePhone', type: 'phone', length: 40 },
      { name: 'Fax', type: 'phone', length: 40 },
      { name: 'Email', type: 'email', length: 80 },
      { name: 'Website', type: 'url', length: 255 },
      { name: 'Description', type: 'textarea', length: 32000 },
      { name: 'LeadSource', type: 'picklist', length: 255, picklist: ['Web', 'Phone Inquiry', 'Partner Referral', 'Purchased List', 'Other'] },
      { name: 'Status', type: 'picklist', length: 255, nillable: false, picklist: ['Open - Not Contacted', 'Working - Contacted', 'Closed - Converted', 'Closed - Not Converted'] },
      { name: 'Industry', type: 'picklist', length: 255, picklist: INDUSTRIES },
      { name: 'Rating', type: 'picklist', length: 40, picklist: ['Hot', 'Warm', 'Cold'] },
      { name: 'AnnualRevenue', type: 'currency', precision: 18, scale: 0 },
      { name: 'NumberOfEmployees', type: 'int', length: 8 },
      { name: 'OwnerId', type: 'reference', referenceTo: ['Group', 'User'], relationshipName: 'Owner', nillable: false },
      { name: 'HasOptedOutOfEmail', type: 'boolean', nillable: false },
      { name: 'IsConverted', type: 'boolean', nillable: false, createable: false, updateable: false },
      { name: 'ConvertedDate', type: 'date', createable: false, updateable: false },
      { name: 'ConvertedAccountId', type: 'reference', referenceTo: ['Account'], relationshipName: 'ConvertedAccount', createable: false, updateable: false },
      { name: 'ConvertedContactId', type: 'reference', referenceTo: ['Contact'], relationshipName: 'ConvertedContact', createable: false, updateable: false },
      { name: 'ConvertedOpportunityId', type: 'reference', referenceTo: ['Opportunity'], relationshipName: 'ConvertedOpportunity', createable: false, updateable: false },
      { name: 'IsUnreadByOwner', type: 'boolean', nillable: false },
      ...audit(),
      { name: 'LastActivityDate', type: 'date', createable: false, updateable: false },
    ],
  },
  {
    name: 'Campaign', keyPrefix: '701', label: 'Campaign', ratio: 0.01, minRows: 10,
    fields: [
      idField(), isDeleted(),
      { name: 'Name', type: 'string', length: 80, nillable: false },
      { name: 'ParentId', type: 'reference', referenceTo: ['Campaign'], relationshipName: 'Parent' },
      { name: 'Type', type: 'picklist', length: 255, picklist: ['Advertisement', 'Banner Ads', 'Conference', 'Direct Mail', 'Email', 'Partners', 'Public Relations', 'Referral Program', 'Telemarketing', 'Trade Show', 'Webinar', 'Other'] },
      { name: 'Status', type: 'picklist', length: 255, picklist: ['Planned', 'In Progress', 'Completed', 'Aborted'] },
      { name: 'StartDate', type: 'date' },
      { name: 'EndDate', type: 'date' },
      { name: 'ExpectedRevenue', type: 'currency', precision: 18, scale: 0 },
      { name: 'BudgetedCost', type: 'currency', precision: 18, scale: 0 },
      { name: 'ActualCost', type: 'currency', precision: 18, scale: 0 },
      { name: 'ExpectedResponse', type: 'percent', precision: 10, scale: 2 },
      { name: 'NumberSent', type: 'double', precision: 18, scale: 0 },
      { name: 'IsActive', type: 'boolean', nillable: false },
      { name: 'Description', type: 'textarea', length: 32000 },
      { name: 'NumberOfLeads', type: 'int', length: 9, nillable: false, createable: false, updateable: false },
      { name: 'NumberOfConvertedLeads', type: 'int', length: 9, nillable: false, createable: false, updateable: false },
      { name: 'NumberOfContacts', type: 'int', length: 9, nillable: false, createable: false, updateable: false },
      { name: 'NumberOfResponses', type: 'int', length: 9, nillable: false, createable: false, updateable: false },
      { name: 'NumberOfOpportunities', type: 'int', length: 9, nillable: false, createable: false, updateable: false },
      { name: 'NumberOfWonOpportunities', type: 'int', length: 9, nillable: false, createable: false, updateable: false },
      { name: 'AmountAllOpportunities', type: 'currency', precision: 18, scale: 0, nillable: false, createable: false, updateable: false },
      { name: 'AmountWonOpportunities', type: 'currency', precision: 18, scale: 0, nillable: false, createable: false, updateable: false },
      { name: 'OwnerId', type: 'reference', referenceTo: ['User'], relationshipName: 'Owner', nillable: false },
      ...audit(),
      { name: 'LastActivityDate', type: 'date', createable: false, updateable: false },
    ],
  },
  {
    name: 'Product2', keyPrefix: '01t', label: 'Product', ratio: 0.02, minRows: 20,
    fields: [
      idField(),
      { name: 'Name', type: 'string', length: 255, nillable: false },
      { name: 'ProductCode', type: 'string', length: 255 },
      { name: 'Description', type: 'textarea', length: 4000 },
      { name: 'IsActive', type: 'boolean', nillable: false },
      { name: 'Family', type: 'picklist', length: 40, picklist: ['Hardware', 'Software', 'Services', 'Support', 'Training'] },
      { name: 'QuantityUnitOfMeasure', type: 'picklist', length: 255, picklist: ['Each', 'Hour', 'Day', 'Month', 'License'] },
      { name: 'StockKeepingUnit', type: 'string', length: 180 },
      { name: 'DisplayUrl', type: 'url', length: 1000 },
      { name: 'ExternalId', type: 'string', length: 255 },
      ...audit(),
      { name: 'IsArchived', type: 'boolean', nillable: false, createable: false, updateable: false },
      isDeleted(),
    ],
  },
  {
    name: 'Pricebook2', keyPrefix: '01s', label: 'Price Book', ratio: 0, minRows: 2,
    fields: [
      idField(), isDeleted(),
      { name: 'Name', type: 'string', length: 255, nillable: false },
      ...audit(),
      { name: 'IsActive', type: 'boolean', nillable: false },
      { name: 'IsArchived', type: 'boolean', nillable: false, createable: false, updateable: false },
      { name: 'Description', type: 'string', length: 255 },
      { name: 'IsStandard', type: 'boolean', nillable: false, createable: false, updateable: false },
    ],
  },
  {
    // One entry per product, in the standard price book: the same ratio and minimum as Product2.
    name: 'PricebookEntry', keyPrefix: '01u', label: 'Price Book Entry', labelPlural: 'Price Book Entries', ratio: 0.02, minRows: 20,
    fields: [
      idField(),
      { name: 'Name', type: 'string', length: 255, createable: false, updateable: false },
      { name: 'Pricebook2Id', type: 'reference', referenceTo: ['Pricebook2'], relationshipName: 'Pricebook2', nillable: false, updateable: false },
      { name: 'Product2Id', type: 'reference', referenceTo: ['Product2'], relationshipName: 'Product2', nillable: false, updateable: false },
      { name: 'UnitPrice', type: 'currency', precision: 18, scale: 2, nillable: false },
      { name: 'IsActive', type: 'boolean', nillable: false },
      { name: 'UseStandardPrice', type: 'boolean', nillable: false },
      ...audit(),
      { name: 'ProductCode', type: 'string', length: 255, createable: false, updateable: false },
      isDeleted(),
      { name: 'IsArchived', type: 'boolean', nillable: false, createable: false, updateable: false },
    ],
  },
  {
    name: 'OpportunityLineItem', keyPrefix: '00k', label: 'Opportunity Product', ratio: 2,
    fields: [
      idField(),
      { name: 'OpportunityId', type: 'reference', referenceTo: ['Opportunity'], relationshipName: 'Opportunity', nillable: false, updateable: false },
      { name: 'SortOrder', type: 'int', length: 9 },
      { name: 'PricebookEntryId', type: 'reference', referenceTo: ['PricebookEntry'], relationshipName: 'PricebookEntry', updateable: false },
      { name: 'Product2Id', type: 'reference', referenceTo: ['Product2'], relationshipName: 'Product2', updateable: false },
      { name: 'ProductCode', type: 'string', length: 255, createable: false, updateable: false },
      { name: 'Name', type: 'string', length: 376, createable: false, updateable: false },
      { name: 'Quantity', type: 'double', precision: 12, scale: 2, nillable: false },
      { name: 'TotalPrice', type: 'currency', precision: 18, scale: 2 },
      { name: 'UnitPrice', type: 'currency', precision: 18, scale: 2 },
      { name: 'ListPrice', type: 'currency', precision: 18, scale: 2, createable: false, updateable: false },
      { name: 'ServiceDate', type: 'date' },
      { name: 'Description', type: 'string', length: 255 },
      ...audit(),
      isDeleted(),
    ],
  },
  {
    name: 'Case', keyPrefix: '500', label: 'Case', ratio: 0.5, mergeable: true,
    fields: [
      idField(), isDeleted(),
      { name: 'MasterRecordId', type: 'reference', referenceTo: ['Case'], relationshipName: 'MasterRecord', createable: false, updateable: false },
      { name: 'CaseNumber', type: 'string', length: 30, nillable: false, createable: false, updateable: false, autoNumber: true, nameField: true },
      { name: 'ContactId', type: 'reference', referenceTo: ['Contact'], relationshipName: 'Contact' },
      { name: 'AccountId', type: 'reference', referenceTo: ['Account'], relationshipName: 'Account' },
      { name: 'ParentId', type: 'reference', referenceTo: ['Case'], relationshipName: 'Parent' },
      { name: 'SuppliedName', type: 'string', length: 80 },
      { name: 'SuppliedEmail', type: 'email', length: 80 },
      { name: 'SuppliedPhone', type: 'string', length: 40 },
      { name: 'SuppliedCompany', type: 'string', length: 80 },
      { name: 'Type', type: 'picklist', length: 255, picklist: ['Mechanical', 'Electrical', 'Electronic', 'Structural', 'Other'] },
      { name: 'Status', type: 'picklist', length: 255, picklist: ['New', 'Working', 'Escalated', 'Closed'] },
      { name: 'Reason', type: 'picklist', length: 255, picklist: ['Installation', 'Equipment Complexity', 'Performance', 'Breakdown', 'Equipment Design', 'Feedback', 'Other'] },
      { name: 'Origin', type: 'picklist', length: 255, picklist: ['Phone', 'Email', 'Web'] },
      { name: 'Subject', type: 'string', length: 255 },
      { name: 'Priority', type: 'picklist', length: 255, picklist: ['High', 'Medium', 'Low'] },
      { name: 'Description', type: 'textarea', length: 32000 },
      { name: 'IsClosed', type: 'boolean', nillable: false, createable: false, updateable: false },
      { name: 'ClosedDate', type: 'datetime', createable: false, updateable: false },
      { name: 'IsEscalated', type: 'boolean', nillable: false },
      { name: 'OwnerId', type: 'reference', referenceTo: ['Group', 'User'], relationshipName: 'Owner', nillable: false },
      ...audit(),
      { name: 'ContactPhone', type: 'phone', length: 40, createable: false, updateable: false },
      { name: 'ContactMobile', type: 'phone', length: 40, createable: false, updateable: false },
      { name: 'ContactEmail', type: 'email', length: 80, createable: false, updateable: false },
    ],
  },
  {
    name: 'Task', keyPrefix: '00T', label: 'Task', ratio: 2,
    fields: [
      idField(),
      { name: 'WhoId', type: 'reference', referenceTo: ['Contact', 'Lead'], relationshipName: 'Who' },
      { name: 'WhatId', type: 'reference', referenceTo: ['Account', 'Campaign', 'Case', 'Opportunity', 'Product2'], relationshipName: 'What' },
      { name: 'Subject', type: 'combobox', length: 255, picklist: ['Call', 'Send Letter', 'Send Quote', 'Other'], nameField: true },
      { name: 'ActivityDate', type: 'date' },
      { name: 'Status', type: 'picklist', length: 40, nillable: false, picklist: ['Not Started', 'In Progress', 'Completed', 'Waiting on someone else', 'Deferred'] },
      { name: 'Priority', type: 'picklist', length: 40, nillable: false, picklist: ['High', 'Normal', 'Low'] },
      { name: 'IsHighPriority', type: 'boolean', nillable: false, createable: false, updateable: false },
      { name: 'OwnerId', type: 'reference', referenceTo: ['Group', 'User'], relationshipName: 'Owner', nillable: false },
      { name: 'Description', type: 'textarea', length: 32000 },
      { name: 'Type', type: 'picklist', length: 40, picklist: ['Call', 'Email', 'Meeting', 'Other'] },
      isDeleted(),
      { name: 'AccountId', type: 'reference', referenceTo: ['Account'], relationshipName: 'Account', createable: false, updateable: false },
      { name: 'IsClosed', type: 'boolean', nillable: false, createable: false, updateable: false },
      ...audit(),
      { name: 'IsArchived', type: 'boolean', nillable: false, createable: false, updateable: false },
      { name: 'CallDurationInSeconds', type: 'int', length: 8 },
      { name: 'CallType', type: 'picklist', length: 40, picklist: ['Internal', 'Inbound', 'Outbound'] },
      { name: 'CallDisposition', type: 'string', length: 255 },
      { name: 'CallObject', type: 'string', length: 255 },
      { name: 'ReminderDateTime', type: 'datetime' },
      { name: 'IsReminderSet', type: 'boolean', nillable: false },
      { name: 'IsRecurrence', type: 'boolean', nillable: false },
      { name: 'TaskSubtype', type: 'picklist', length: 40, picklist: ['Task', 'Email', 'ListEmail', 'Cadence', 'Call', 'LinkedIn'], updateable: false },
      { name: 'CompletedDateTime', type: 'datetime', createable: false, updateable: false },
    ],
  },
];

const GENERATED_FIELD_TYPES: Pick<FieldSpec, 'type' | 'length' | 'picklist'>[] = [
  { type: 'string', length: 80 }, { type: 'double' }, { type: 'boolean' }, { type: 'date' }, { type: 'datetime' }, { type: 'picklist', length: 40, picklist: ['New', 'Active', 'On Hold', 'Closed'] },
  { type: 'currency' }, { type: 'email', length: 80 }, { type: 'int' }, { type: 'textarea', length: 1000 },
];

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Key prefix of generated object i: b00, b01, ... bzz, then c00, ...: distinct from every fixed object's. */
function generatedKeyPrefix(i: number): string {
  const block = 'bcdefghijklmnopqrstuvwxyz'[Math.floor(i / (62 * 62))];
  if (!block) throw new RangeError(`At most ${25 * 62 * 62} generated objects, got ${i + 1}`);
  return block + BASE62[Math.floor(i / 62) % 62]! + BASE62[i % 62]!;
}

/**
 * `count` extra custom objects (Generated_0001__c, ...) of about 30 fields each, for discovery at
 * the scale of a big org (many orgs have over a thousand objects). A few rows each.
 */
export function generatedObjects(count: number): ObjectSpec[] {
  return Array.from({ length: count }, (_, i) => {
    const n = String(i + 1).padStart(4, '0');
    const fields: FieldSpec[] = Array.from({ length: 24 }, (_, f) => {
      const type = GENERATED_FIELD_TYPES[f % GENERATED_FIELD_TYPES.length]!;
      return { name: `Field_${String(f + 1).padStart(2, '0')}__c`, ...type, custom: true };
    });
    return { name: `Generated_${n}__c`, keyPrefix: generatedKeyPrefix(i), label: `Generated ${n}`, custom: true, ratio: 0, minRows: 3, fields: [idField(), { name: 'Name', type: 'string', length: 80 }, ...fields, ...audit(), isDeleted()] };
  });
}

